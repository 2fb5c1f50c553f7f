#include "core/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace osprey {
namespace {

TEST(ApiKeyTest, GeneratedKeyHasSchemeFixedLengthAndBase62Body) {
  auto generated = generate_api_key();
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  EXPECT_EQ(generated->key.substr(0, 4), "osp_");
  EXPECT_EQ(generated->key.size(), 4u + 43u);
  for (char c : generated->key.substr(4)) {
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        << "unexpected character '" << c << "'";
  }
}

TEST(ApiKeyTest, PrefixAndHashDescribeTheGeneratedKey) {
  auto generated = generate_api_key();
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->prefix, generated->key.substr(0, 4 + kApiKeyPrefixChars));
  EXPECT_EQ(generated->hash, api_key_hash(generated->key));
  EXPECT_EQ(generated->hash.size(), 64u);
  EXPECT_EQ(generated->hash.find(generated->key.substr(4)), std::string::npos);
}

TEST(ApiKeyTest, KeysDoNotRepeat) {
  std::set<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    auto generated = generate_api_key();
    ASSERT_TRUE(generated.ok());
    keys.insert(generated->key);
  }
  EXPECT_EQ(keys.size(), 1000u);
}

TEST(ApiKeyTest, HashIsSha256Hex) {
  // SHA-256("abc") from FIPS 180-2.
  EXPECT_EQ(api_key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(api_key_hash("osp_a"), api_key_hash("osp_b"));
}

TEST(ApiKeyTest, PrefixOfForeignOrShortKeyIsEmpty) {
  EXPECT_EQ(api_key_prefix("sk-abcdefghijklmnop"), "");
  EXPECT_EQ(api_key_prefix("osp_abc"), "");
  EXPECT_EQ(api_key_prefix(""), "");
  EXPECT_EQ(api_key_prefix("osp_abcdefghXYZ"), "osp_abcdefgh");
}

TEST(ApiKeyTest, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abcdef", "abcdef"));
  EXPECT_FALSE(constant_time_equals("abcdef", "abcdeg"));
  EXPECT_FALSE(constant_time_equals("bbcdef", "abcdef"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  // A difference in any byte, in the 8-byte steps or the tail, at every length up to 40.
  for (std::size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'k');
    EXPECT_TRUE(constant_time_equals(base, std::string(n, 'k')));
    for (std::size_t at = 0; at < n; ++at) {
      std::string other = base;
      other[at] = static_cast<char>(other[at] ^ 0x80);
      EXPECT_FALSE(constant_time_equals(base, other)) << n << " " << at;
      other[at] = static_cast<char>(base[at] ^ 0x01);
      EXPECT_FALSE(constant_time_equals(other, base)) << n << " " << at;
    }
  }
}

}  // namespace
}  // namespace osprey
