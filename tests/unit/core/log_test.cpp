#include "core/log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "core/log_line.h"
#include "core/utc_timestamp.h"
#include "core/utf8.h"

namespace osprey::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/osprey_log_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/osprey.log";
  }
  void TearDown() override {
    ASSERT_TRUE(init(Options{}).ok());  // closes the file, back to defaults
    std::filesystem::remove_all(dir_);
  }

  void start(Options options) {
    options.file = path_;
    auto status = init(options);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }

  std::vector<std::string> raw_lines() {
    flush();
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  // Whether `needle` reaches the file without a flush() (the background writer's work), polled
  // every 5 ms for up to 2 s.
  bool written_without_flush(std::string_view needle) const {
    for (int i = 0; i < 400; ++i) {
      std::ifstream in(path_);
      std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (all.find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  std::vector<nlohmann::json> lines() {
    std::vector<nlohmann::json> out;
    for (const auto& line : raw_lines()) {
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(parsed.is_discarded()) << line;
      out.push_back(parsed);
    }
    return out;
  }

  std::string dir_, path_;
};

TEST_F(LogTest, LinesAreJsonWithStandardAndExtraFields) {
  start({});
  const std::string route = "/v1/chat/completions";
  info("http_request", {{"route", route},
                        {"status", 200},
                        {"latency_ms", 1.204},
                        {"bytes", std::uint64_t{18446744073709551615u}},
                        {"delta", std::int64_t{-7}},
                        {"cached", false},
                        {"view", std::string_view("sv")}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  const auto& line = parsed[0];
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["service"], "osprey");
  EXPECT_EQ(line["msg"], "http_request");
  EXPECT_EQ(line["route"], route);
  EXPECT_EQ(line["status"], 200);
  EXPECT_DOUBLE_EQ(line["latency_ms"].get<double>(), 1.204);
  EXPECT_EQ(line["bytes"].get<std::uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(line["delta"], -7);
  EXPECT_EQ(line["cached"], false);
  EXPECT_EQ(line["view"], "sv");
  // Fixed leading order so lines are easy to scan with grep.
  EXPECT_EQ(raw_lines()[0].rfind("{\"ts\":\"", 0), 0u);
}

TEST_F(LogTest, NastyStringsAreEscaped) {
  start({});
  const std::string nasty =
      std::string("q\"b\\s/n\nr\rt\tc\x01\x1f") + '\0' + "del\x7f é 🦅 bad\xff\xfe end \xc3";
  warn(nasty, {{nasty, nasty}, {"overlong", "\xc0\xaf"}, {"surrogate", "\xed\xa0\x80"}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  const std::string expected = std::string("q\"b\\s/n\nr\rt\tc\x01\x1f") + '\0' +
                               "del\x7f é 🦅 bad\xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD";
  EXPECT_EQ(parsed[0]["msg"], expected);
  EXPECT_EQ(parsed[0][expected], expected);
  EXPECT_EQ(parsed[0]["overlong"], "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(parsed[0]["surrogate"], "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  // Plain keys take a shortcut up to 60 bytes; longer ones are escaped as before.
  const std::string long_key(61, 'k');
  warn("keys", {{std::string(60, 'k'), 1}, {long_key, 2}, {"", 3}, {"a\"b", 4}});
  const auto keys = lines();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1][std::string(60, 'k')], 1);
  EXPECT_EQ(keys[1][long_key], 2);
  EXPECT_EQ(keys[1][""], 3);
  EXPECT_EQ(keys[1]["a\"b"], 4);
}

TEST_F(LogTest, NonFiniteDoublesBecomeNull) {
  start({});
  info("numbers",
       {{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}, {"tiny", 1e-300}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_TRUE(parsed[0]["nan"].is_null());
  EXPECT_TRUE(parsed[0]["inf"].is_null());
  EXPECT_DOUBLE_EQ(parsed[0]["tiny"].get<double>(), 1e-300);
}

TEST_F(LogTest, LevelFiltering) {
  Options options;
  options.level = LogLevel::kWarn;
  start(options);
  EXPECT_FALSE(enabled(LogLevel::kInfo));
  EXPECT_TRUE(enabled(LogLevel::kError));
  debug("d");
  info("i");
  warn("w");
  error("e");
  set_level(LogLevel::kDebug);
  debug("d2");
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0]["msg"], "w");
  EXPECT_EQ(parsed[1]["msg"], "e");
  EXPECT_EQ(parsed[1]["level"], "error");
  EXPECT_EQ(parsed[2]["msg"], "d2");
  EXPECT_EQ(parsed[2]["level"], "debug");
}

TEST_F(LogTest, DebugSampleRateZeroDropsEveryDebugLine) {
  Options options;
  options.level = LogLevel::kDebug;
  options.debug_sample_rate = 0;
  start(options);
  for (int i = 0; i < 200; ++i) debug("dropped");
  info("kept");
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0]["msg"], "kept");
}

TEST_F(LogTest, DebugSampleRateKeepsAFraction) {
  Options options;
  options.level = LogLevel::kDebug;
  options.debug_sample_rate = 0.5;
  start(options);
  for (int i = 0; i < 2000; ++i) debug("maybe");
  const auto kept = lines().size();
  // Binomial(2000, 0.5): outside [700, 1300] has probability far below 1e-40.
  EXPECT_GT(kept, 700u);
  EXPECT_LT(kept, 1300u);
}

TEST_F(LogTest, SecretsAreScrubbedFromEveryPartOfTheLine) {
  Options options;
  options.secrets = {"sk-live-123456", "quo\"te-secret", "abc"};
  start(options);
  info("key sk-live-123456 leaked", {{"header", "Bearer sk-live-123456"},
                                     {"sk-live-123456", 1},
                                     {"q", "quo\"te-secret"},
                                     {"short", "abc"}});
  const auto raw = raw_lines();
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].find("sk-live-123456"), std::string::npos) << raw[0];
  EXPECT_EQ(raw[0].find("te-secret"), std::string::npos) << raw[0];
  const auto parsed = lines();
  EXPECT_EQ(parsed[0]["msg"], "key ******** leaked");
  EXPECT_EQ(parsed[0]["header"], "Bearer ********");
  EXPECT_EQ(parsed[0]["q"], "********");
  EXPECT_EQ(parsed[0]["short"], "abc");  // too short to scrub without wrecking every line
}

TEST_F(LogTest, PersonalDataIsRedactedFromMessagesAndStringFieldsButNotFromOurOwnValues) {
  Options options;
  options.redactor = PiiRedactor::create({}).value();
  start(options);
  info("mail from ops@example.com", {{"request_id", "4f1c9a2b8d7e6f5a4b3c2d1e0f9a8b7c"},
                                     {"user", "jane@example.com"},
                                     {"prompt", "call +1 (555) 123-4567, card 4111 1111 1111 1111"},
                                     {"when", "2026-11-25T12:00:00.123Z"},
                                     {"count", std::int64_t{4111111111111111}}});
  const auto raw = raw_lines();
  ASSERT_EQ(raw.size(), 1u);
  for (const char* pii : {"ops@example.com", "jane@", "555", "4111 1111"}) {
    EXPECT_EQ(raw[0].find(pii), std::string::npos) << pii << " in " << raw[0];
  }
  const auto line = nlohmann::json::parse(raw[0]);
  EXPECT_EQ(line["msg"], "mail from [REDACTED:email]");
  EXPECT_EQ(line["user"], "[REDACTED:email]");
  EXPECT_EQ(line["prompt"], "call [REDACTED:phone], card [REDACTED:card]");
  EXPECT_EQ(line["request_id"], "4f1c9a2b8d7e6f5a4b3c2d1e0f9a8b7c");
  EXPECT_EQ(line["when"], "2026-11-25T12:00:00.123Z");
  EXPECT_EQ(line["count"], 4111111111111111);  // numbers are ours, not free text
  EXPECT_FALSE(line["ts"].get<std::string>().empty());
}

TEST_F(LogTest, VerbatimFieldsSkipTheRedactorButAreStillEscaped) {
  Options options;
  options.redactor = PiiRedactor::create({}).value();
  start(options);
  info("http_request", {{"route", Field::verbatim("/v1/users/{email}")},
                        {"remote", Field::verbatim("10.0.0.1:5555 \"q\"")},
                        {"path", "/v1/users/jane@example.com"}});
  const auto line = nlohmann::json::parse(raw_lines().at(0));
  EXPECT_EQ(line["route"], "/v1/users/{email}");
  EXPECT_EQ(line["remote"], "10.0.0.1:5555 \"q\"");
  EXPECT_EQ(line["path"], "/v1/users/[REDACTED:email]");  // a plain string is still redacted
}

// write() with Keys escapes the keys once; the line must be the one write() with pairs writes,
// for every kind of value, with the redactor and secrets on, and with nasty keys and values.
TEST_F(LogTest, KeyedLinesMatchTheLinesOfKeyValuePairs) {
  Options options;
  options.redactor = PiiRedactor::create({}).value();
  options.secrets = {"sk-live-123456"};
  start(options);
  const std::string nasty = std::string("q\"b\\\n\x01") + '\0' + "é bad\xff end";
  const Keys keys{"request_id", "method", "route", nasty, "", "n", "u", "d", "b"};
  for (const std::string_view text :
       {std::string_view("plain"), std::string_view(nasty), std::string_view("jane@example.com"),
        std::string_view("call +1 (555) 123-4567 sk-live-123456"), std::string_view("")}) {
    write(LogLevel::kInfo, "http_request", keys,
          {text, "POST", Field::verbatim(text), text, "", std::int64_t{-7},
           std::uint64_t{18446744073709551615u}, 2.531, true});
    info("http_request", {{"request_id", text},
                          {"method", "POST"},
                          {"route", Field::verbatim(text)},
                          {nasty, text},
                          {"", ""},
                          {"n", std::int64_t{-7}},
                          {"u", std::uint64_t{18446744073709551615u}},
                          {"d", 2.531},
                          {"b", true}});
  }
  // Fewer values than keys: the pairs there are.
  write(LogLevel::kWarn, "short", Keys{"a", "b"}, {1});
  warn("short", {{"a", 1}});
  const auto raw = raw_lines();
  ASSERT_EQ(raw.size(), 12u);
  const auto without_ts = [](const std::string& line) {
    const auto end = line.find("\",\"level\"");
    return end == std::string::npos ? line : line.substr(end);
  };
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    EXPECT_EQ(without_ts(raw[i]), without_ts(raw[i + 1]));
    EXPECT_NE(raw[i].find("\"level\""), std::string::npos) << raw[i];
  }
  EXPECT_EQ(raw[4].find("sk-live-123456"), std::string::npos) << raw[4];
  EXPECT_NE(raw[4].find("[REDACTED:email]"), std::string::npos) << raw[4];
}

TEST_F(LogTest, WithoutARedactorTextIsWrittenAsIs) {
  start(Options{});
  info("x", {{"user", "jane@example.com"}});
  EXPECT_EQ(lines().at(0)["user"], "jane@example.com");
}

TEST_F(LogTest, TimestampIsUtcIsoWithMilliseconds) {
  start({});
  info("now");
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1u);
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(parsed[0]["ts"].get<std::string>(), iso)) << parsed[0]["ts"];

  std::string out;
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795608000123));
  out += utc_timestamp(when);
  EXPECT_EQ(out, "2026-11-25T12:00:00.123Z");
  out.clear();
  out += utc_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(-1)));
  EXPECT_EQ(out, "1969-12-31T23:59:59.999Z");
}

// Buffered mode batches INFO lines; a WARN drains the batch before itself, flush() drains it, and
// concurrent writers never interleave or reorder a thread's own lines.
TEST_F(LogTest, BufferedLinesKeepTheirOrderAndWarnDrainsTheBatch) {
  start({.buffered = true});
  info("first", {{"n", 1}});
  info("second", {{"n", 2}});
  warn("third");  // written at once, after the batched lines
  {
    std::ifstream in(path_);
    std::vector<std::string> now;
    for (std::string line; std::getline(in, line);) now.push_back(line);
    ASSERT_EQ(now.size(), 3u);  // no flush(): the WARN itself drained the batch
    EXPECT_NE(now[0].find("\"first\""), std::string::npos) << now[0];
    EXPECT_NE(now[1].find("\"second\""), std::string::npos) << now[1];
    EXPECT_NE(now[2].find("\"third\""), std::string::npos) << now[2];
  }

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 500; ++i) info("line", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  const auto parsed = lines();  // flush() inside
  ASSERT_EQ(parsed.size(), 3u + 4 * 500);
  int next[4] = {0, 0, 0, 0};
  for (std::size_t k = 3; k < parsed.size(); ++k) {
    const int t = parsed[k]["thread"];
    EXPECT_EQ(parsed[k]["i"], next[t]++) << parsed[k];
  }
}

TEST_F(LogTest, BufferedLinesAreWrittenWithoutAFlush) {
  start({.buffered = true});
  info("batched");
  EXPECT_TRUE(written_without_flush("\"batched\""));  // within a few milliseconds
}

// After a quiet spell the background writer sleeps until a line comes (no timed wake-ups): the
// first line after it must still wake it.
TEST_F(LogTest, BufferedLinesAfterAQuietSpellAreWrittenWithoutAFlush) {
  start({.buffered = true});
  info("before");
  ASSERT_TRUE(written_without_flush("\"before\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // many flush intervals, no lines
  info("after");
  EXPECT_TRUE(written_without_flush("\"after\""));
}

TEST_F(LogTest, ConcurrentLinesNeverInterleave) {
  start({});
  std::vector<std::thread> threads;
  const std::string payload(300, 'x');
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &payload] {
      for (int i = 0; i < 250; ++i) info("concurrent", {{"thread", t}, {"i", i}, {"p", payload}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 1000u);
  std::vector<int> per_thread(4, 0);
  for (const auto& line : parsed) ++per_thread.at(line["thread"].get<int>());
  EXPECT_EQ(per_thread, std::vector<int>(4, 250));
}

TEST_F(LogTest, InitFailsWhenTheFileCannotBeOpened) {
  Options options;
  options.file = dir_ + "/no/such/dir/x.log";
  auto status = init(options);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("no/such/dir/x.log"), std::string::npos);
}

// append_json_double's fast path for whole thousandths must print exactly what the shortest
// round-trip form prints: every millisecond value with three decimals below 3000,
// random ones up to its bound and beyond, and values just off a thousandth.
TEST(LogJsonDouble, FastPathMatchesTheShortestRoundTripForm) {
  auto shortest = [](double v) {
    char buf[32];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
    return std::string(buf, ptr);
  };
  auto check = [&](double v) {
    std::string out;
    append_json_double(out, v);
    ASSERT_EQ(out, shortest(v)) << v;
  };
  for (std::uint64_t n = 0; n < 3000000; ++n) check(static_cast<double>(n) / 1000);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300000; ++i) {
    const double v = static_cast<double>(rng() % 2000000000) / 1000;  // up to 2e6, past the bound
    check(v);
    check(std::nextafter(v, 0.0));
    check(std::nextafter(v, 1e9));
    check(-v);
  }
  for (double v : {0.0, -0.0, 1e-4, 0.0005, 999999.999, 1e6, 1e6 + 0.001, 0.1 + 0.2}) check(v);
}

// The byte-at-a-time definition of a JSON log string, to check write_json_string's runs of
// sixteen bytes against.
std::string reference_json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, i);
      out += len == 0 ? std::string_view("\xEF\xBF\xBD") : text.substr(i, len);
      i += len == 0 ? 1 : len;
      continue;
    }
    const std::string_view named[] = {"\\b", "\\t", "\\n", "", "\\f", "\\r"};
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= '\b' && c <= '\r' && c != 0x0B) {
      out += named[c - '\b'];
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
  return out;
}

// Random texts of every length up to 80 mixing plain bytes with every kind of byte that ends a
// plain run (quotes, backslashes, control bytes, DEL, valid and broken UTF-8), at every offset
// around the sixteen-byte steps; the writer's output must match the definition byte for byte and
// stay within json_string_bound (checked with a guard byte after the bound).
TEST(LogJsonString, MatchesTheByteAtATimeDefinition) {
  std::mt19937 rng(11);
  const std::vector<std::string> specials = {"\"",
                                             "\\",
                                             "\n",
                                             "\r",
                                             "\t",
                                             "\b",
                                             "\f",
                                             "\x01",
                                             "\x1f",
                                             std::string(1, '\0'),
                                             "\x7f",
                                             "\x0b",
                                             "é",
                                             "🦅",
                                             "\xe2\x82\xac",
                                             "\xff",
                                             "\xc3",
                                             "\xed\xa0\x80",
                                             "\xc0\xaf",
                                             "\xf4\x90\x80\x80"};
  for (int round = 0; round < 20000; ++round) {
    const std::size_t length = rng() % 81;
    std::string text;
    const unsigned special_odds = 1 + rng() % 40;  // from mostly special to mostly plain
    while (text.size() < length) {
      if (rng() % special_odds == 0) {
        text += specials[rng() % specials.size()];
      } else {
        text += static_cast<char>(0x20 + rng() % 95);
      }
    }
    std::string buffer(json_string_bound(text.size()) + 1, '\x5a');
    const char* end = write_json_string(buffer.data(), text);
    ASSERT_LE(static_cast<std::size_t>(end - buffer.data()), json_string_bound(text.size()));
    ASSERT_EQ(buffer.back(), '\x5a') << "wrote past the bound";
    ASSERT_EQ(std::string(static_cast<const char*>(buffer.data()), end),
              reference_json_string(text))
        << text;
    std::string appended = "x";
    append_json_string(appended, text);
    ASSERT_EQ(appended.substr(0, 1), "x");
    ASSERT_EQ(appended.substr(1), reference_json_string(text));
  }
  // The worst cases of the bound: only control bytes, only invalid bytes.
  for (const std::string& text : {std::string(40, '\x01'), std::string(40, '\xff')}) {
    std::string buffer(json_string_bound(text.size()), '\0');
    const char* end = write_json_string(buffer.data(), text);
    EXPECT_EQ(std::string(static_cast<const char*>(buffer.data()), end),
              reference_json_string(text));
  }
}

// Lines longer than any before grow the thread's buffer in the middle of a piece; the line
// must come out whole.
TEST_F(LogTest, LongLinesGrowTheBufferWithoutLosingAByte) {
  start({});
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += i % 7 == 0 ? '"' : static_cast<char>('a' + i % 26);
  info("short");
  info("long", {{"text", long_text}, {std::string(500, 'k'), std::string(20000, '\x01')}});
  info("short again", {{"n", 1}});
  const auto parsed = lines();
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[1]["text"], long_text);
  EXPECT_EQ(parsed[1][std::string(500, 'k')], std::string(20000, '\x01'));
  EXPECT_EQ(parsed[2]["msg"], "short again");
}

// Timestamps are formatted once per millisecond (and the date once per second): repeated,
// consecutive, backwards and far-apart times must all come out right.
TEST(LogTimestamp, CachedFormsMatchAFreshFormatting) {
  auto fresh = [](std::int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    int frac = static_cast<int>(ms % 1000);
    if (frac < 0) {
      frac += 1000;
      --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return std::string(buf);
  };
  std::vector<std::int64_t> times = {1795608000123,
                                     1795608000123,
                                     1795608000124,
                                     1795608000999,
                                     1795608001000,
                                     1795608000999,
                                     0,
                                     -1,
                                     -1000,
                                     -1001,
                                     1795608001000,
                                     7258118399999};
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i)
    times.push_back(1795608000000 + static_cast<std::int64_t>(rng() % 5000));
  for (const std::int64_t ms : times) {
    std::string out;
    out += utc_timestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
    ASSERT_EQ(out, fresh(ms)) << ms;
  }
}

TEST(LogLevelNames, ParseAndName) {
  LogLevel level{};
  ASSERT_TRUE(parse_level("warn", &level));
  EXPECT_EQ(level, LogLevel::kWarn);
  EXPECT_EQ(level_name(LogLevel::kDebug), "debug");
  EXPECT_FALSE(parse_level("WARNING", &level));
}

}  // namespace
}  // namespace osprey::log
