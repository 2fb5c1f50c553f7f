// Settings part of the Store conformance suite.
#include <algorithm>
#include <atomic>
#include <thread>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> get(Store& store, std::string_view key) {
  auto value = store.get_setting(key);
  EXPECT_TRUE(value.ok()) << value.error().message;
  return value.ok() ? *value : std::nullopt;
}

TEST_P(StoreConformanceTest, AbsentSettingIsNullopt) {
  migrate();
  EXPECT_EQ(get(*store_, "never-written"), std::nullopt);
}

TEST_P(StoreConformanceTest, PutThenGetReturnsTheValue) {
  migrate();
  ASSERT_TRUE(store_->put_setting("instance_id", "7f3a").ok());
  EXPECT_EQ(get(*store_, "instance_id"), "7f3a");
  EXPECT_EQ(get(*store_, "instance_i"), std::nullopt);
}

TEST_P(StoreConformanceTest, PutOverwritesThePreviousValue) {
  migrate();
  ASSERT_TRUE(store_->put_setting("mode", "first").ok());
  ASSERT_TRUE(store_->put_setting("mode", "second").ok());
  EXPECT_EQ(get(*store_, "mode"), "second");
  auto all = store_->list_settings("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (Pairs{{"mode", "second"}}));
}

TEST_P(StoreConformanceTest, PutIfAbsentOnlyTheFirstCallWins) {
  migrate();
  auto first = store_->put_setting_if_absent("first_start", "a");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  auto second = store_->put_setting_if_absent("first_start", "b");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);
  EXPECT_EQ(get(*store_, "first_start"), "a");
}

TEST_P(StoreConformanceTest, PutIfAbsentDoesNotReplaceAValueFromPut) {
  migrate();
  ASSERT_TRUE(store_->put_setting("k", "put").ok());
  auto set = store_->put_setting_if_absent("k", "if_absent");
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(*set);
  EXPECT_EQ(get(*store_, "k"), "put");
}

TEST_P(StoreConformanceTest, PutIfAbsentFromEightThreadsHasExactlyOneWinner) {
  migrate();
  constexpr int kThreads = 8;
  std::vector<Result<bool>> results(kThreads, Result<bool>(false));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = store_->put_setting_if_absent("leader", "thread-" + std::to_string(i));
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  int winners = 0;
  std::string winner;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().message;
    if (*results[i]) {
      ++winners;
      winner = "thread-" + std::to_string(i);
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(get(*store_, "leader"), winner);
}

TEST_P(StoreConformanceTest, ListSettingsReturnsThePrefixInKeyOrder) {
  migrate();
  for (const char* key : {"jobs/b", "a", "jobs/", "jobs/a/2", "jobsx", "jobs/a/1", "k"}) {
    ASSERT_TRUE(store_->put_setting(key, std::string("v:") + key).ok());
  }
  auto jobs = store_->list_settings("jobs/");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  EXPECT_EQ(*jobs, (Pairs{{"jobs/", "v:jobs/"},
                          {"jobs/a/1", "v:jobs/a/1"},
                          {"jobs/a/2", "v:jobs/a/2"},
                          {"jobs/b", "v:jobs/b"}}));
  auto all = store_->list_settings("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end()));
  auto none = store_->list_settings("zzz");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, ListSettingsTreatsPatternCharactersLiterally) {
  migrate();
  for (const char* key : {"a_1", "ab1", "a%2", "az2", "A_1"}) {
    ASSERT_TRUE(store_->put_setting(key, "v").ok());
  }
  auto underscore = store_->list_settings("a_");
  ASSERT_TRUE(underscore.ok());
  EXPECT_EQ(*underscore, (Pairs{{"a_1", "v"}}));
  auto percent = store_->list_settings("a%");
  ASSERT_TRUE(percent.ok());
  EXPECT_EQ(*percent, (Pairs{{"a%2", "v"}}));
}

TEST_P(StoreConformanceTest, KeysAndValuesRoundTripByteForByte) {
  migrate();
  std::string control;
  for (int c = 1; c < 32; ++c) control.push_back(static_cast<char>(c));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"quotes", R"(it's "quoted"; DROP TABLE settings; -- \' \\)"},
      {"unicode/ключ/鍵", "héllo wörld 世界 🦅 \u200b"},
      {"control", control},
      {"empty", ""},
      {"large", std::string(200 * 1024, 'x') + "end"},
      {"json", R"({"a":[1,2,{"b":null}],"c":"\u00e9"})"},
      {"  spaced key  ", "  spaced value\n\t"},
  };
  for (const auto& [key, value] : cases) {
    Status put = store_->put_setting(key, value);
    ASSERT_TRUE(put.ok()) << key << ": " << put.error().message;
  }
  for (const auto& [key, value] : cases) EXPECT_EQ(get(*store_, key), value) << key;
  auto unicode = store_->list_settings("unicode/ключ");
  ASSERT_TRUE(unicode.ok());
  ASSERT_EQ(unicode->size(), 1u);
  EXPECT_EQ(unicode->front().second, cases[1].second);
}

TEST_P(StoreConformanceTest, ConcurrentWritersFromEightThreadsAllPersist) {
  migrate();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 125;  // 1000 puts in all
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "w/" + std::to_string(t) + "/" + std::to_string(1000 + i);
        Status put = store_->put_setting(key, "v-" + key);
        if (!put.ok() && failures[t].empty()) failures[t] = put.error().message;
        // Readers run beside the writers.
        if (i % 25 == 0 && !store_->get_setting(key).ok() && failures[t].empty()) {
          failures[t] = "read failed";
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
  ASSERT_TRUE(store_->close().ok());
  store_ = open_another();
  ASSERT_NE(store_, nullptr);
  auto all = store_->list_settings("w/");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const auto& [key, value] : *all) EXPECT_EQ(value, "v-" + key);
}

}  // namespace
}  // namespace osprey::store::testing
