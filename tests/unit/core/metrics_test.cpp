#include "core/metrics.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics_process.h"

namespace osprey::metrics {
namespace {

TEST(Metrics, CounterRendersExactly) {
  Registry registry;
  auto& requests = registry.counter("osprey_requests", "Requests served.", {"route", "code"});
  requests.with({"/v1/x", "200"}).inc();
  requests.with({"/v1/x", "200"}).inc(2);
  requests.with({"/v1/a", "500"}).inc(0.5);
  requests.with({"/v1/a", "500"}).inc(-4);  // counters never go down
  EXPECT_EQ(registry.render(),
            "# HELP osprey_requests_total Requests served.\n"
            "# TYPE osprey_requests_total counter\n"
            "osprey_requests_total{route=\"/v1/a\",code=\"500\"} 0.5\n"
            "osprey_requests_total{route=\"/v1/x\",code=\"200\"} 3\n");
}

TEST(Metrics, GaugeRendersExactly) {
  Registry registry;
  auto& inflight = registry.gauge("osprey_inflight_requests", "Requests in progress.").with();
  inflight.set(2.5);
  inflight.inc();
  inflight.dec(2);
  EXPECT_DOUBLE_EQ(inflight.value(), 1.5);
  EXPECT_EQ(registry.render(),
            "# HELP osprey_inflight_requests Requests in progress.\n"
            "# TYPE osprey_inflight_requests gauge\n"
            "osprey_inflight_requests 1.5\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInf) {
  Registry registry;
  auto& latency =
      registry.histogram("osprey_latency_seconds", "Latency.", {"model"}, {1, 0.1, 0.5, 0.5});
  auto& h = latency.with({"m"});
  h.observe(0.05);
  h.observe(0.5);  // on a bound: counts in that bucket (le = less or equal)
  h.observe(0.2);
  h.observe(2);
  h.observe(std::nan(""));  // ignored
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 2.75);
  EXPECT_EQ(registry.render(),
            "# HELP osprey_latency_seconds Latency.\n"
            "# TYPE osprey_latency_seconds histogram\n"
            "osprey_latency_seconds_bucket{model=\"m\",le=\"0.1\"} 1\n"
            "osprey_latency_seconds_bucket{model=\"m\",le=\"0.5\"} 3\n"
            "osprey_latency_seconds_bucket{model=\"m\",le=\"1\"} 3\n"
            "osprey_latency_seconds_bucket{model=\"m\",le=\"+Inf\"} 4\n"
            "osprey_latency_seconds_sum{model=\"m\"} 2.75\n"
            "osprey_latency_seconds_count{model=\"m\"} 4\n");
}

TEST(Metrics, UnlabelledHistogramAndDefaultBuckets) {
  Registry registry;
  auto& h = registry.histogram("job_seconds", "Job time.", {}, {}).with();
  EXPECT_EQ(h.bounds(), latency_buckets_seconds());
  h.observe(100);
  const std::string out = registry.render();
  EXPECT_NE(out.find("job_seconds_bucket{le=\"0.0005\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("job_seconds_bucket{le=\"60\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("job_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("job_seconds_count 1\n"), std::string::npos) << out;
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.gauge("g", "Help with \\ and\nnewline \"quoted\".", {"v"}).with({"a\\b\"c\nd"}).set(1);
  EXPECT_EQ(registry.render(),
            "# HELP g Help with \\\\ and\\nnewline \"quoted\".\n"
            "# TYPE g gauge\n"
            "g{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(Metrics, SpecialValuesUsePrometheusSpelling) {
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(0.001), "0.001");
}

TEST(Metrics, RegisteringTwiceReturnsTheSameFamily) {
  Registry registry;
  auto& a = registry.counter("hits_total", "Hits.", {"k"});
  auto& b = registry.counter("hits_total", "Hits.", {"k"});
  EXPECT_EQ(&a, &b);
  a.with({"x"}).inc();
  EXPECT_DOUBLE_EQ(b.with({"x"}).value(), 1);
  EXPECT_EQ(&a.with({"x"}), &b.with({"x"}));
  // A different shape is a bug: it still works but is kept out of the output.
  auto& other = registry.counter("hits_total", "Hits.", {"k", "extra"});
  EXPECT_NE(static_cast<void*>(&other), static_cast<void*>(&a));
  other.with({"1", "2"}).inc(5);
  EXPECT_EQ(registry.render().find("extra"), std::string::npos);
}

TEST(Metrics, WrongLabelCountDoesNotCrash) {
  Registry registry;
  auto& family = registry.counter("c_total", "C.", {"a", "b"});
  family.with({"only-one"}).inc();
  family.with({"1", "2", "3"}).inc();
  const std::string out = registry.render();
  EXPECT_NE(out.find("c_total{a=\"only-one\",b=\"\"} 1"), std::string::npos) << out;
  EXPECT_NE(out.find("c_total{a=\"1\",b=\"2\"} 1"), std::string::npos) << out;
}

// Lookups by string_views and by strings find the same child, and children still render in
// label order (the allocation-free lookup must not change either).
TEST(Metrics, LookupsByViewAndByStringShareChildrenAndRenderSorted) {
  Registry registry;
  auto& family = registry.counter("d_total", "D.", {"a", "b"});
  const std::string b = "y";
  family.with({"x", std::string_view(b)}).inc();
  family.with(std::vector<std::string>{"x", "y"}).inc();
  family.with({"w", "z"}).inc();
  family.with({"x", "ya"}).inc();
  EXPECT_EQ(&family.with({"x", "y"}), &family.with(std::vector<std::string>{"x", "y"}));
  const std::string out = registry.render();
  const auto w = out.find("d_total{a=\"w\",b=\"z\"} 1");
  const auto xy = out.find("d_total{a=\"x\",b=\"y\"} 2");
  const auto xya = out.find("d_total{a=\"x\",b=\"ya\"} 1");
  ASSERT_NE(w, std::string::npos) << out;
  ASSERT_NE(xy, std::string::npos) << out;
  ASSERT_NE(xya, std::string::npos) << out;
  EXPECT_LT(w, xy);
  EXPECT_LT(xy, xya);
}

// The per-thread memo of the last child must answer exactly what the locked lookup answers:
// labels that differ only in the last value, prefixes, alternation, and other families (more
// than the memo has slots) asked for the same labels in between.
TEST(Metrics, RepeatedLookupsFromTheMemoMatchTheLockedLookup) {
  Registry registry;
  auto& requests = registry.counter("memo_a_total", "A.", {"route", "status"});
  Counter& ok = requests.with({"/v1/x", "200"});
  Counter& bad = requests.with({"/v1/x", "429"});
  ASSERT_NE(&ok, &bad);
  EXPECT_EQ(&requests.with({"/v1/x", "200"}), &ok);
  EXPECT_EQ(&requests.with({"/v1/x", "200"}), &ok);
  EXPECT_EQ(&requests.with({"/v1/x", "429"}), &bad);
  EXPECT_NE(&requests.with({"/v1/x", "20"}), &ok);
  EXPECT_NE(&requests.with({"/v1/x", "2000"}), &ok);
  EXPECT_NE(&requests.with({"/v1/", "200"}), &ok);
  EXPECT_EQ(&requests.with(std::vector<std::string>{"/v1/x", "200"}), &ok);
  std::vector<Family<Counter>*> others;
  for (int i = 0; i < 40; ++i) {
    others.push_back(
        &registry.counter("memo_other_" + std::to_string(i), "O.", {"route", "status"}));
    Counter& other = others.back()->with({"/v1/x", "200"});
    EXPECT_NE(&other, &ok);
    EXPECT_EQ(&others.back()->with({"/v1/x", "200"}), &other);
    EXPECT_EQ(&requests.with({"/v1/x", "200"}), &ok);
  }
  requests.with({"/v1/x", "200"}).inc(3);
  EXPECT_NE(registry.render().find("memo_a_total{route=\"/v1/x\",status=\"200\"} 3\n"),
            std::string::npos);
}

// A family destroyed with its registry leaves its memo slot behind; a new family (perhaps at the
// same address) must not be answered from it.
TEST(Metrics, MemoNeverOutlivesItsFamily) {
  for (int round = 0; round < 3; ++round) {
    Registry registry;
    auto& family = registry.counter("memo_round_total", "R.", {"k"});
    Counter& child = family.with({"v"});
    EXPECT_EQ(child.value(), 0) << "round " << round;
    child.inc();
    EXPECT_EQ(family.with({"v"}).value(), 1);
  }
}

// Each thread keeps its own memo, and all of them lead to the one child.
TEST(Metrics, ThreadsShareChildrenThroughTheirOwnMemos) {
  Registry registry;
  auto& family = registry.counter("memo_threads_total", "T.", {"k"});
  Counter& main_child = family.with({"v"});
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        family.with({"v"}).inc();
        if (i % 7 == 0) family.with({t % 2 == 0 ? "even" : "odd"}).inc();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(&family.with({"v"}), &main_child);
  EXPECT_EQ(main_child.value(), 4.0 * kPerThread);
  EXPECT_EQ(family.with({"even"}).value(), 2.0 * ((kPerThread + 6) / 7));
}

TEST(Metrics, FamiliesRenderSortedByName) {
  Registry registry;
  registry.gauge("zeta", "Z.").with().set(1);
  registry.gauge("alpha", "A.").with().set(2);
  const std::string out = registry.render();
  EXPECT_LT(out.find("alpha"), out.find("zeta"));
}

TEST(Metrics, CollectorsRunBeforeRender) {
  Registry registry;
  auto& g = registry.gauge("refreshed", "Refreshed by a collector.").with();
  int calls = 0;
  registry.add_collector([&] { g.set(++calls); });
  EXPECT_NE(registry.render().find("refreshed 1\n"), std::string::npos);
  EXPECT_NE(registry.render().find("refreshed 2\n"), std::string::npos);
}

TEST(Metrics, ConcurrentUpdatesFromFourThreadsSumExactly) {
  Registry registry;
  auto& family = registry.counter("work_total", "Work.", {"kind"});
  auto& hist = registry.histogram("work_seconds", "Work time.", {}, {0.5, 1}).with();
  auto& gauge = registry.gauge("level", "Level.").with();
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Counter& cached = family.with({"cached"});
      for (int i = 0; i < kPerThread; ++i) {
        cached.inc();
        if (i % 100 == 0) family.with({t % 2 == 0 ? "even" : "odd"}).inc();
        hist.observe(1);
        gauge.inc();
        gauge.dec(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.with({"cached"}).value(), 4.0 * kPerThread);
  EXPECT_EQ(family.with({"even"}).value(), 2.0 * kPerThread / 100);
  EXPECT_EQ(hist.count(), 4u * kPerThread);
  EXPECT_EQ(hist.sum(), 4.0 * kPerThread);
  EXPECT_EQ(hist.cumulative_counts(),
            (std::vector<std::uint64_t>{0, 4 * kPerThread, 4 * kPerThread}));
  EXPECT_EQ(gauge.value(), 0.5 * 4 * kPerThread);
}

TEST(Metrics, PromtoolAcceptsTheOutput) {
  if (!std::filesystem::exists("/usr/bin/promtool")) GTEST_SKIP() << "promtool not installed";
  Registry registry;
  register_process_metrics(registry);
  registry
      .counter("osprey_http_requests", "HTTP requests by route and status.", {"route", "status"})
      .with({"/v1/chat/completions", "200"})
      .inc();
  registry.counter("osprey_errors_total", "Errors.", {"code"}).with({"we\"ird\\\nvalue"}).inc();
  registry.gauge("osprey_queue_depth", "Queued requests.", {"model"}).with({"llama"}).set(3);
  auto& h = registry.histogram("osprey_http_request_duration_seconds", "Request latency.",
                               {"route"}, latency_buckets_seconds());
  h.with({"/v1/models"}).observe(0.004);
  h.with({"/v1/models"}).observe(12);
  registry.counter("osprey_unused_total", "Labelled, never used.", {"x"});

  char tmpl[] = "/tmp/osprey_metrics_XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string text = registry.render();
  std::ofstream(tmpl) << text;
  const std::string cmd = std::string("/usr/bin/promtool check metrics < ") + tmpl + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  std::filesystem::remove(tmpl);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output << "\n" << text;
}

}  // namespace
}  // namespace osprey::metrics
