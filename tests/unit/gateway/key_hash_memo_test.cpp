// memoized_api_key_hash must always answer api_key_hash(key): for the remembered key, for other
// keys in between, for keys that are a prefix or an extension of the remembered one, for the
// empty key, and on every thread.
#include "gateway/auth/key_hash_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/api_key.h"

namespace osprey::gateway {
namespace {

TEST(KeyHashMemo, AlwaysAnswersTheKeysOwnHash) {
  const std::vector<std::string> keys = {"osp_first",  "osp_first",  "osp_second", "osp_first",
                                         "osp_firs",   "osp_firstx", "",           "",
                                         "osp_second", "osp_fIrst",  "osp_first"};
  for (const std::string& key : keys) {
    EXPECT_EQ(memoized_api_key_hash(key), api_key_hash(key)) << key;
  }
}

TEST(KeyHashMemo, EachThreadRemembersItsOwnKey) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      const std::string mine = "osp_thread_" + std::to_string(t);
      const std::string expected = api_key_hash(mine);
      for (int i = 0; i < 2000; ++i) {
        const std::string& key = i % 5 == 0 ? std::string("osp_other") : mine;
        const std::string want = i % 5 == 0 ? api_key_hash("osp_other") : expected;
        if (memoized_api_key_hash(key) != want) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace osprey::gateway
