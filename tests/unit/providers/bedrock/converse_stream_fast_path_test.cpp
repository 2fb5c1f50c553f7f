// ConverseStreamParser reads the per-token events without a DOM: for every event, clean or not,
// it must give the events or the error the nlohmann path gives.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "providers/bedrock/converse_stream_parser.h"
#include "support/byte_mutator.h"
#include "unit/providers/fast_path_reference.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::bedrock {
namespace {

using osprey::testing::kBom;
using Event = std::pair<std::string, std::string>;  // :event-type, payload

std::vector<Event> recorded_stream() {
  std::vector<Event> stream;
  for (const auto& e :
       osprey::providers::testing::read_json_fixture("bedrock/stream_tool_use.json")) {
    stream.emplace_back(e["event"].get<std::string>(), e["payload"].dump());
  }
  return stream;
}

// A stream's events through one parser, up to its first error. `via_dom` prefixes each payload
// with a byte order mark, which the fast path never takes.
std::string converse_stream_text(const std::vector<Event>& stream, bool via_dom) {
  ConverseStreamParser parser("model-id");
  return osprey::testing::stream_transcript(parser, stream, [&](const Event& event) {
    return parser.feed_event(event.first,
                             via_dom ? std::string(kBom) + event.second : event.second);
  });
}

TEST(ConverseStreamFastPath, EventsParseAsTheDomParsesThem) {
  const std::vector<Event> events = {
      {"contentBlockDelta", R"({"delta":{"text":"Hi \"x\"\n"},"contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"text":"x"},"p":"abcdefgh"})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{"input":"{\"a\""}},"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{}},"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{"input":7}},"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{"input":null}},"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{"input":"a","input":"b"}}})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":null},"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"text":"t","toolUse":{"input":"i"}}})"},
      {"contentBlockDelta", R"({"delta":{"toolUse":{"input":"i"},"text":"t"}})"},
      {"contentBlockDelta", R"({"delta":{"text":7,"toolUse":{"input":"i"}}})"},
      {"contentBlockDelta", R"({"delta":{"text":"t","toolUse":{"input":7}}})"},
      {"contentBlockDelta", R"({"delta":{"text":null}})"},
      {"contentBlockDelta", R"({"delta":{"text":"a","text":"b"}})"},
      {"contentBlockDelta",
       R"({"delta":{"reasoningContent":{"text":"hm"}},"contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"delta":{},"contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"delta":null,"contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"delta":"text","contentBlockIndex":0})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"contentBlockIndex":1.5})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"contentBlockIndex":"1"})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"contentBlockIndex":true})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"contentBlockIndex":-3})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"contentBlockIndex":4294967296})"},
      {"contentBlockDelta",
       R"({"delta":{"text":"x"},"contentBlockIndex":0,"contentBlockIndex":1})"},
      {"contentBlockDelta", R"({"delta":{"text":"caf\u00e9"}})"},
      {"contentBlockDelta", "{\"delta\":{\"text\":\"caf\xC3\xA9\"}}"},
      {"contentBlockDelta", "{\"delta\":{\"text\":\"bad \xC3\"}}"},
      {"contentBlockDelta", R"({"delta":{"text":"x"},"p":1e999})"},
      {"contentBlockDelta", R"({"delta":{"text":"x"}} trailing)"},
      {"contentBlockDelta", R"([{"delta":{"text":"x"}}])"},
      {"contentBlockStop", R"({"contentBlockIndex":0})"},
      {"contentBlockStop", R"({"contentBlockIndex":"any","contentBlockIndex":[1]})"},
      {"contentBlockStop", R"({"contentBlockIndex":0)"},
      {"contentBlockStop", "null"},
      {"messageStop", R"({"stopReason":"end_turn"})"},
      {"metadata", R"({"usage":{"inputTokens":3,"outputTokens":4}})"},
      {"somethingNew", R"({"delta":{"text":"x"}})"},
  };
  const std::vector<Event> recorded = recorded_stream();
  for (const Event& event : events) {
    for (const std::vector<Event>& stream :
         {std::vector<Event>{event},
          std::vector<Event>{recorded[0], recorded[1], event, recorded.back()}}) {
      EXPECT_EQ(converse_stream_text(stream, false), converse_stream_text(stream, true))
          << event.first << " " << event.second;
    }
  }
  for (const auto& [type, payload] : recorded) {  // a real stream's per-token events
    std::vector<StreamEvent> out;
    if (type == "contentBlockDelta" || type == "contentBlockStop") {
      EXPECT_TRUE(read_plain_stream_event(type, payload, out)) << payload;
    }
  }
  EXPECT_EQ(converse_stream_text(recorded, false), converse_stream_text(recorded, true));
  // The reference really is the DOM path: the mark does not change what it reads.
  EXPECT_EQ(converse_stream_text({events[0]}, true), "text 0 Hi \"x\"\n\nopen");
}

TEST(ConverseStreamFastPath, MutatedStreamsParseAsTheDomParsesThem) {
  const std::vector<Event> seed = recorded_stream();
  std::mt19937 rng(20261127);
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    std::vector<Event> stream = seed;
    std::string& edited = stream[rng() % stream.size()].second;
    edited = osprey::testing::mutate_bytes(edited, rng, osprey::testing::kJsonBytes);
    const std::string a = converse_stream_text(stream, false);
    const std::string b = converse_stream_text(stream, true);
    const std::size_t n = osprey::testing::comparable_length(a, b);
    EXPECT_EQ(a.substr(0, n), b.substr(0, n)) << edited;
  }
}

}  // namespace
}  // namespace osprey::providers::bedrock
