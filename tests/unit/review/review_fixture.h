#pragma once
// Test support: the fixture repository under tests/fixtures/review/repo (found through
// OSPREY_SOURCE_DIR, which CTest sets, or the source tree this test was built from) and a
// multi-language rules file.
#include <cstdlib>
#include <string>

namespace osprey::review::testing {

inline std::string source_dir() {
  if (const char* root = std::getenv("OSPREY_SOURCE_DIR"); root != nullptr && *root != '\0') {
    return root;
  }
  return OSPREY_SOURCE_DIR_DEFAULT;
}

inline std::string fixture_repo() { return source_dir() + "/tests/fixtures/review/repo"; }

// Python (tests excluded), JavaScript (specs excluded), Java (absent from the fixture);
// a Django category whose `exists` fails; a web category with its own default patterns.
inline constexpr const char* kMultiLanguageRules = R"({
  "languages": [
    {"name": "python", "defaultPatterns": ["*.py"], "defaultExcludePatterns": ["test_*.py"]},
    {"name": "javascript", "defaultPatterns": ["*.js"], "defaultExcludePatterns": ["*.test.js"]},
    {"name": "java", "defaultPatterns": ["**/*.java"]}
  ],
  "categories": [
    {"name": "python-general", "languages": ["python"], "exists": ["src/__init__.py"]},
    {"name": "django", "languages": ["python"], "exists": ["manage.py"]},
    {"name": "web", "languages": ["javascript"], "defaultPatterns": ["web/**/*.js"]},
    {"name": "spring", "languages": ["java"]}
  ],
  "rules": [
    {"rule": "PY1", "category": "python-general", "language": "python",
     "ruleDesc": "No bare except clauses."},
    {"rule": "PY2", "category": "python-general", "language": "python",
     "ruleDesc": "Managers are used through their public methods.",
     "contextPatterns": ["**/*_manager.py"]},
    {"rule": 3, "category": "python-general", "language": "python",
     "ruleDesc": "Order code only.", "patterns": ["src/orders/*.py"],
     "excludePatterns": ["**/report.py"]},
    {"rule": "DJ1", "category": "django", "language": "python", "ruleDesc": "Use the ORM."},
    {"rule": "JS1", "category": "web", "language": "javascript", "ruleDesc": "Use const."},
    {"rule": "SP1", "category": "spring", "language": "java", "ruleDesc": "Constructor injection."}
  ]
})";

}  // namespace osprey::review::testing
