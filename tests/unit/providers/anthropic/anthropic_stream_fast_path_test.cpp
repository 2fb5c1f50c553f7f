// AnthropicStreamParser reads the per-token events without a DOM: for every event, clean or
// not, it must give the events or the error the nlohmann path gives.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "providers/anthropic/anthropic_stream_parser.h"
#include "support/byte_mutator.h"
#include "unit/providers/fast_path_reference.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::anthropic {
namespace {

using osprey::testing::kBom;
using testing::read_fixture;
using testing::SseEvent;

// A stream's events through one parser, up to its first error. `via_dom` prefixes each payload
// with a byte order mark, which the fast path never takes.
std::string anthropic_stream_text(const std::vector<SseEvent>& stream, bool via_dom) {
  AnthropicStreamParser parser;
  return osprey::testing::stream_transcript(parser, stream, [&](const SseEvent& sse) {
    return parser.feed(sse.event, via_dom ? std::string(kBom) + sse.data : sse.data);
  });
}

TEST(AnthropicStreamFastPath, EventsParseAsTheDomParsesThem) {
  const std::vector<std::pair<std::string, std::string>> events = {
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \"x\"\n"}})"},
      {"content_block_delta",
       R"({"index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","delta":{"text":"no type","type":"text_delta"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":null})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"x"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":"1","delta":{"type":"text_delta","text":"x"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":-3,"delta":{"type":"text_delta","text":"x"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":4294967296,"delta":{"type":"text_delta","text":"x"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","text":7}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}})"},
      {"content_block_delta", R"({"type":"content_block_delta","type":"ping"})"},
      {"content_block_delta", R"({"type":7})"},
      {"content_block_delta", R"({"type":"message_stop"})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9"}})"},
      {"content_block_delta",
       "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
       "\"caf\xC3\xA9\"}}"},
      {"content_block_delta",
       "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
       "\"bad \xC3\"}}"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"},"usage":1e999})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}} trailing)"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"content_block_stop", R"({"index":"any"})"},
      {"ping", R"({"type": "ping"})"},
      {"ping", "not json"},
      {"message_stop", R"({"type":"content_block_stop"})"},
      {"",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unnamed"}})"},
      {"", R"({"index":0,"delta":{"type":"text_delta","text":"neither"}})"},
      {"error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"},
  };
  const std::vector<SseEvent> opening =
      testing::split_sse(read_fixture("anthropic/stream_tool_use.sse"));
  for (const auto& [name, data] : events) {
    const SseEvent event{name, data};
    for (const std::vector<SseEvent>& stream :
         {std::vector<SseEvent>{event},
          std::vector<SseEvent>{opening[0], opening[1], event, opening.back()}}) {
      EXPECT_EQ(anthropic_stream_text(stream, false), anthropic_stream_text(stream, true))
          << name << " " << data;
    }
  }
  for (const SseEvent& sse : opening) {  // a real stream's per-token events take the fast path
    std::vector<StreamEvent> out;
    if (sse.event == "content_block_delta" || sse.event == "ping") {
      EXPECT_TRUE(read_plain_stream_event(sse.event, sse.data, out)) << sse.data;
    }
  }
  for (const char* fixture : {"anthropic/stream_tool_use.sse", "anthropic/stream_overloaded.sse"}) {
    const std::vector<SseEvent> stream = testing::split_sse(read_fixture(fixture));
    EXPECT_EQ(anthropic_stream_text(stream, false), anthropic_stream_text(stream, true)) << fixture;
  }
  // The reference really is the DOM path: the mark does not change what it reads.
  EXPECT_EQ(anthropic_stream_text({{"content_block_delta", events[0].second}}, true),
            "text 0 Hi \"x\"\n\nopen");
}

TEST(AnthropicStreamFastPath, MutatedStreamsParseAsTheDomParsesThem) {
  const std::vector<SseEvent> seed =
      testing::split_sse(read_fixture("anthropic/stream_tool_use.sse"));
  std::mt19937 rng(20261127);
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    std::vector<SseEvent> stream = seed;
    SseEvent& edited = stream[rng() % stream.size()];
    edited.data = osprey::testing::mutate_bytes(edited.data, rng, osprey::testing::kJsonBytes);
    const std::string a = anthropic_stream_text(stream, false);
    const std::string b = anthropic_stream_text(stream, true);
    const std::size_t n = osprey::testing::comparable_length(a, b);
    EXPECT_EQ(a.substr(0, n), b.substr(0, n)) << edited.data;
  }
}

}  // namespace
}  // namespace osprey::providers::anthropic
