#include "core/yaml_to_json.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey {
namespace {

TEST(YamlToJson, PlainScalarsAreTypedAndQuotedOnesStayStrings) {
  auto doc = parse_yaml(
      "i: 42\n"
      "neg: -7\n"
      "f: 0.25\n"
      "exp: 1e3\n"
      "t: true\n"
      "n: ~\n"
      "empty:\n"
      "s: hello world\n"
      "quoted_int: \"42\"\n"
      "single: 'true'\n"
      "hex: 0x10\n"
      "huge: 123456789012345678901234567890\n"
      "list: [1, two, {three: 3}]\n",
      "t.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const auto expected = nlohmann::json::parse(R"({
    "i": 42, "neg": -7, "f": 0.25, "exp": 1000.0, "t": true, "n": null, "empty": null,
    "s": "hello world", "quoted_int": "42", "single": "true", "hex": "0x10",
    "huge": "123456789012345678901234567890", "list": [1, "two", {"three": 3}]})");
  EXPECT_EQ(doc->root, expected);
}

TEST(YamlToJson, RecordsTheLineOfEveryKey) {
  auto doc = parse_yaml("a: 1\nb:\n  c: 2\n\n  d:\n    e: 3\n", "t.yaml");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->key_lines.at("a"), 1);
  EXPECT_EQ(doc->key_lines.at("b.c"), 3);
  EXPECT_EQ(doc->key_lines.at("b.d.e"), 6);
}

TEST(YamlToJson, RejectsBadDocumentsWithNameAndLine) {
  struct Case {
    const char* text;
    const char* expect;
  };
  for (const Case& c : {Case{"a: [1, 2\n", "t.yaml:"}, Case{"a: 1\na: 2\n", "t.yaml:2"},
                        Case{"? [x]\n: 1\n", "mapping keys must be scalars"},
                        Case{"just a string\n", "top level must be a mapping"},
                        Case{"a: *undefined_alias\n", "t.yaml:1"}}) {
    auto doc = parse_yaml(c.text, "t.yaml");
    ASSERT_FALSE(doc.ok()) << c.text;
    EXPECT_EQ(doc.code(), ErrorCode::kConfigInvalid);
    EXPECT_NE(doc.error().message.find(c.expect), std::string::npos) << doc.error().message;
  }
}

TEST(YamlToJson, DeepNestingIsAnErrorNotACrash) {
  std::string text = "a: ";
  for (int i = 0; i < 100; ++i) text += "[";
  for (int i = 0; i < 100; ++i) text += "]";
  auto doc = parse_yaml(text + "\n", "deep.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("deep.yaml"), std::string::npos);
}

TEST(YamlToJson, EmptyDocumentIsAnEmptyObject) {
  auto doc = parse_yaml("", "e.yaml");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root, nlohmann::json::object());
}

}  // namespace
}  // namespace osprey
