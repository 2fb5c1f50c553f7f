#pragma once
// Glob: a compiled path pattern for repository files (rules files' include, exclude, context and
// `exists` patterns). Paths are relative, '/'-separated, without a leading "./".
//   *      any characters within one path segment (never '/')
//   ?      one character other than '/'
//   [abc] [a-z] [!a-z] [^a-z]   a character class (never '/')
//   {a,b}  alternatives (may nest and contain '/' or other wildcards)
//   **     as a whole segment: zero or more segments ("**/x", "a/**/b", "a/**")
//   \c     the character c itself
// A pattern without '/' matches the file name in any directory ("*.py" = "**/*.py"), as in
// .gitignore; a pattern with '/' is matched against the whole path ("src/__init__.py"); a leading
// '/' or "./" anchors explicitly. Immutable after compile(); thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace osprey::review {

class Glob {
 public:
  // kInvalidRequest naming the problem for an empty pattern, an unterminated '[' or '{', a
  // trailing '\', or more than 1024 brace alternatives.
  static Result<Glob> compile(std::string_view pattern);

  bool matches(std::string_view path) const;
  const std::string& pattern() const { return pattern_; }

  struct Token {
    enum class Kind { kLiteral, kAnyChar, kStar, kClass } kind = Kind::kLiteral;
    char literal = 0;
    bool negated = false;
    std::vector<std::pair<char, char>> ranges;  // kClass: inclusive ranges
  };
  // One path segment's tokens; `globstar` for a "**" segment.
  struct Segment {
    bool globstar = false;
    std::vector<Token> tokens;
  };
  using Alternative = std::vector<Segment>;

 private:
  std::string pattern_;
  std::vector<Alternative> alternatives_;  // after brace expansion
};

// True if any of `globs` matches `path`.
bool matches_any(const std::vector<Glob>& globs, std::string_view path);

}  // namespace osprey::review
