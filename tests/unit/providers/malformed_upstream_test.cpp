// Whatever an upstream sends, every adapter's readers answer with a result or a stable error,
// never an exception or a crash: each vendor's recorded answers, errors and streams are fed
// through thousands of small random edits (a cut number, a broken escape, a stray byte that is not
// UTF-8, a field of another type), and what they accept still renders as an OpenAI answer.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "providers/anthropic/anthropic_codec.h"
#include "providers/anthropic/anthropic_stream_parser.h"
#include "providers/bedrock/converse_codec.h"
#include "providers/bedrock/converse_stream_parser.h"
#include "providers/line_splitter.h"
#include "providers/ollama/ollama_codec.h"
#include "providers/ollama/ollama_stream_parser.h"
#include "providers/openai/openai_response_writer.h"
#include "providers/openai/openai_stream_parser.h"
#include "providers/openai/openai_upstream_codec.h"
#include "providers/sse_event_parser.h"
#include "support/byte_mutator.h"
#include "unit/providers/fast_path_reference.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers {
namespace {

using testing::read_fixture;

constexpr int kRounds = 3000;
using osprey::testing::kJsonBytes;

// Mutations of `seeds`, the same ones on every run.
template <typename Check>
void for_each_mutation(const std::vector<std::string>& seeds, unsigned seed, Check check) {
  std::mt19937 rng(seed);
  for (int i = 0; i < kRounds && !::testing::Test::HasFailure(); ++i) {
    check(osprey::testing::mutate_bytes(seeds[rng() % seeds.size()], rng, kJsonBytes, 1, 3));
  }
}

// An accepted answer must render for the client; a rejected one names a stable code.
void expect_usable(const Result<ChatResponse>& r, const std::string& body, int& accepted) {
  if (r.ok()) {
    ++accepted;
    EXPECT_NO_THROW((void)openai::render_chat_response_text(*r)) << body;
  } else {
    EXPECT_FALSE(code_name(r.error().code).empty()) << body;
    EXPECT_FALSE(r.error().message.empty()) << body;
  }
}

void expect_usable(const UpstreamError& e, const std::string& body) {
  EXPECT_FALSE(code_name(e.code).empty()) << body;
  EXPECT_FALSE(e.message.empty()) << body;
}

// Mutations of a vendor's recorded answers through its parser: each a usable answer or a stable
// error, and many still accepted (the accepting side is exercised too).
template <typename Parse>
void expect_answers_usable(const std::vector<std::string>& seeds, unsigned rng_seed, Parse parse) {
  int accepted = 0;
  for_each_mutation(seeds, rng_seed, [&](const std::string& body) {
    Result<ChatResponse> r = Error{ErrorCode::kInternal, "not parsed"};
    EXPECT_NO_THROW(r = parse(body)) << body;
    expect_usable(r, body, accepted);
  });
  EXPECT_GT(accepted, 100);
}

// Feeds a stream parser its `count` pieces (`feed(i)`) until it reports an error, which is final.
template <typename Feed>
void feed_until_error(std::size_t count, Feed feed, const std::string& body) {
  for (std::size_t i = 0; i < count; ++i) {
    Result<std::vector<StreamEvent>> events = Error{ErrorCode::kInternal, "not fed"};
    EXPECT_NO_THROW(events = feed(i)) << body;
    if (!events.ok()) {
      EXPECT_FALSE(events.error().message.empty()) << body;
      return;
    }
  }
}

std::vector<std::string> lines_of(const std::string& body) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  const Status split = splitter.feed(body + "\n", [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  });
  return split.ok() ? lines : std::vector<std::string>{};
}

std::vector<SseEvent> sse_events_of(const std::string& body) {
  SseEventParser parser;
  std::vector<SseEvent> events;
  for (const std::string& line : lines_of(body + "\n")) {
    if (auto event = parser.feed_line(line)) events.push_back(std::move(*event));
  }
  return events;
}

TEST(MalformedUpstream, OpenAiAnswersErrorsAndStreams) {
  expect_answers_usable(
      {read_fixture("openai/response_text.json"), read_fixture("openai/response_tool_calls.json")},
      1, [](const std::string& body) { return openai::parse_chat_response(body); });
  for_each_mutation({read_fixture("openai/error_400.json"), read_fixture("openai/error_429.json"),
                     read_fixture("openai/error_500.json")},
                    2, [](const std::string& body) {
                      expect_usable(openai::parse_error(429, body, {"7", "abc"}), body);
                    });
  for_each_mutation(
      {read_fixture("openai/stream_text.sse"), read_fixture("openai/stream_tool_calls.sse")}, 3,
      [](const std::string& body) {
        openai::OpenAiStreamParser parser;
        const std::vector<SseEvent> events = sse_events_of(body);
        feed_until_error(
            events.size(), [&](std::size_t i) { return parser.feed(events[i].data); }, body);
      });
}

TEST(MalformedUpstream, AnthropicAnswersErrorsAndStreams) {
  expect_answers_usable(
      {read_fixture("anthropic/response_text.json"),
       read_fixture("anthropic/response_tool_use.json")},
      4, [](const std::string& body) { return anthropic::parse_messages_response(body); });
  for_each_mutation(
      {read_fixture("anthropic/error_400.json"), read_fixture("anthropic/error_429.json"),
       read_fixture("anthropic/error_529.json")},
      5, [](const std::string& body) {
        expect_usable(anthropic::parse_error(529, body, {"2", ""}), body);
      });
  for_each_mutation(
      {read_fixture("anthropic/stream_tool_use.sse"),
       read_fixture("anthropic/stream_overloaded.sse")},
      6, [](const std::string& body) {
        anthropic::AnthropicStreamParser parser;
        const std::vector<SseEvent> events = sse_events_of(body);
        feed_until_error(
            events.size(),
            [&](std::size_t i) { return parser.feed(events[i].event, events[i].data); }, body);
      });
}

TEST(MalformedUpstream, OllamaAnswersTagsErrorsAndStreams) {
  expect_answers_usable(
      {read_fixture("ollama/response_text.json"), read_fixture("ollama/response_tool_calls.json")},
      7, [](const std::string& body) { return ollama::parse_chat_response(body); });
  for_each_mutation({read_fixture("ollama/tags.json")}, 8, [](const std::string& body) {
    EXPECT_NO_THROW((void)ollama::parse_tags(body)) << body;
  });
  for_each_mutation(
      {read_fixture("ollama/error_404.json"), read_fixture("ollama/error_500.json")}, 9,
      [](const std::string& body) { expect_usable(ollama::parse_error(500, body, {}), body); });
  for_each_mutation(
      {read_fixture("ollama/stream_text.ndjson"), read_fixture("ollama/stream_tool_calls.ndjson")},
      10, [](const std::string& body) {
        ollama::OllamaStreamParser parser;
        const std::vector<std::string> lines = lines_of(body);
        feed_until_error(
            lines.size(), [&](std::size_t i) { return parser.feed(lines[i]); }, body);
      });
}

TEST(MalformedUpstream, BedrockAnswersErrorsAndStreamEvents) {
  expect_answers_usable(
      {read_fixture("bedrock/response_text.json"), read_fixture("bedrock/response_tool_use.json")},
      11, [](const std::string& body) { return bedrock::parse_converse_response(body); });
  for_each_mutation({read_fixture("bedrock/error_throttling.json"),
                     read_fixture("bedrock/error_validation.json")},
                    12, [](const std::string& body) {
                      expect_usable(bedrock::parse_error(400, "ValidationException", body, {}),
                                    body);
                    });
  // The recorded stream is a list of {event, payload}: each payload is mutated on its own, so
  // the event sequence stays the vendor's and the parser meets broken payloads at every step.
  const nlohmann::json recorded = testing::read_json_fixture("bedrock/stream_tool_use.json");
  std::mt19937 rng(13);
  for (int i = 0; i < kRounds / 10 && !HasFailure(); ++i) {
    bedrock::ConverseStreamParser parser("model-id");
    for (const auto& step : recorded) {
      const std::string payload =
          osprey::testing::mutate_bytes(step["payload"].dump(), rng, kJsonBytes, 0, 2);
      Result<std::vector<StreamEvent>> events = Error{ErrorCode::kInternal, "not fed"};
      EXPECT_NO_THROW(events = parser.feed_event(step["event"].get<std::string>(), payload))
          << payload;
      if (!events.ok()) break;
    }
  }
}

}  // namespace
}  // namespace osprey::providers
