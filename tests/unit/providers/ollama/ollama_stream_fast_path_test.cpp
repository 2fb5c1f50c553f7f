// OllamaStreamParser reads the per-token lines without a DOM: for every line, clean or not, it
// must give the events or the error the nlohmann path gives.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "providers/ollama/ollama_stream_parser.h"
#include "support/byte_mutator.h"
#include "unit/providers/fast_path_reference.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::ollama {
namespace {

using osprey::testing::kBom;
using testing::read_fixture;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A stream's lines through one parser, up to its first error. `via_dom` prefixes each line with
// a byte order mark, which the fast path never takes.
std::string ollama_stream_text(const std::vector<std::string>& stream, bool via_dom) {
  OllamaStreamParser parser;
  return osprey::testing::stream_transcript(parser, stream, [&](const std::string& line) {
    return parser.feed(via_dom ? std::string(kBom) + line : line);
  });
}

TEST(OllamaStreamFastPath, LinesParseAsTheDomParsesThem) {
  const std::vector<std::string> lines = {
      R"({"model":"m","created_at":"2023-08-04T08:52:19Z","message":{"role":"assistant","content":"Hi \"x\"\n"},"done":false})",
      R"({"message":{"content":"no model, no done"}})",
      R"({"model":"m","message":{"role":"assistant","content":""},"done":false})",
      R"({"model":"m","message":{"role":"assistant"},"done":false})",
      R"({"model":"m","message":{"role":"assistant","content":null},"done":false})",
      R"({"model":"m","message":{"role":"assistant","content":7},"done":false})",
      R"({"model":"m","message":null,"done":false})",
      R"({"model":"m","message":"text","done":false})",
      R"({"model":7,"message":{"content":"x"},"done":false})",
      R"({"model":"m","message":{"content":"x"},"done":"no"})",
      R"({"model":"m","message":{"content":"x"},"done":null})",
      R"({"model":"m","message":{"content":"a","content":"b"},"done":false})",
      R"({"model":"m","model":"n","message":{"content":"x"}})",
      R"({"model":"m","message":{"content":"x"},"done":false,"done":true})",
      R"({"model":"m","message":{"content":"x","thinking":"hm","images":null},"done":false})",
      R"({"model":"m","message":{"content":"x","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},"done":false})",
      R"({"model":"m","message":{"content":"x","tool_calls":null},"done":false})",
      R"({"model":"m","message":{"content":"caf\u00e9"},"done":false})",
      "{\"model\":\"m\",\"message\":{\"content\":\"caf\xC3\xA9\"},\"done\":false}",
      "{\"model\":\"m\",\"message\":{\"content\":\"bad \xC3\"},\"done\":false}",
      R"({"model":"m","message":{"content":"x"},"done":false,"eval_count":"n/a"})",
      R"({"model":"m","message":{"content":"x"},"done":false,"total_duration":1e999})",
      R"({"model":"m","message":{"content":"x"},"done":false} trailing)",
      R"({"model":"m","message":{"content":""},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":282})",
      R"({"model":"m","message":{"content":"last"},"done":true,"done_reason":"length"})",
      R"({"done_reason":"stop","eval_count":3,"prompt_eval_count":2,"done":true})",
      R"({"model":"m","done":true,"done_reason":"stop","prompt_eval_count":26.0,"eval_count":282})",
      R"({"model":"m","done":true,"done_reason":"stop","prompt_eval_count":-4,"eval_count":9223372036854775808})",
      R"({"model":"m","done":true,"done_reason":null,"prompt_eval_count":1,"eval_count":2})",
      R"({"model":"m","done":true,"done_reason":7,"prompt_eval_count":1,"eval_count":2})",
      R"({"model":"m","done":true,"done_reason":"stop","prompt_eval_count":null,"eval_count":2})",
      R"({"model":"m","done":true,"done_reason":"stop","prompt_eval_count":true,"eval_count":2})",
      R"({"model":"m","done":true,"done_reason":"stop","eval_count":1,"eval_count":2})",
      R"({"model":"m","done":true,"done_reason":"unheard_of"})",
      R"({"error":"model 'm' not found"})",
      R"({"model":"m","message":{"content":"x"},"error":"cut"})",
      R"([{"model":"m"}])",
      "not json",
  };
  const std::vector<std::string> opening =
      lines_of(read_fixture("ollama/stream_tool_calls.ndjson"));
  for (const std::string& line : lines) {
    for (const std::vector<std::string>& stream :
         {std::vector<std::string>{line},
          std::vector<std::string>{opening[0], line, opening.back()}}) {
      EXPECT_EQ(ollama_stream_text(stream, false), ollama_stream_text(stream, true)) << line;
    }
  }
  // A real stream's token lines and its final line take the fast path.
  const std::vector<std::string> text_stream = lines_of(read_fixture("ollama/stream_text.ndjson"));
  for (const std::string& line : text_stream) {
    EXPECT_TRUE(read_plain_stream_line(line, true).has_value()) << line;
  }
  EXPECT_FALSE(read_plain_stream_line(opening[0], true).has_value());  // tool calls: the DOM's
  for (const char* fixture : {"ollama/stream_text.ndjson", "ollama/stream_tool_calls.ndjson"}) {
    const std::vector<std::string> stream = lines_of(read_fixture(fixture));
    EXPECT_EQ(ollama_stream_text(stream, false), ollama_stream_text(stream, true)) << fixture;
  }
  EXPECT_EQ(ollama_stream_text({"  \r", ""}, false), "open");  // blank lines: no events
  // The reference really is the DOM path: the mark does not change what it reads.
  EXPECT_EQ(ollama_stream_text({lines[0]}, true), "start  m\ntext 0 Hi \"x\"\n\nopen");
  EXPECT_EQ(ollama_stream_text(text_stream, false),
            "start  llama3.2\ntext 0 The\ntext 0  sky\ntext 0  is blue.\nusage 26 282\nstop " +
                std::to_string(static_cast<int>(StopReason::kEndTurn)) + "\ndone");
}

TEST(OllamaStreamFastPath, MutatedStreamsParseAsTheDomParsesThem) {
  std::vector<std::string> seed = lines_of(read_fixture("ollama/stream_text.ndjson"));
  std::mt19937 rng(20261127);
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    std::vector<std::string> stream = seed;
    std::string& edited = stream[rng() % stream.size()];
    edited = osprey::testing::mutate_bytes(edited, rng, osprey::testing::kJsonBytes);
    const std::string a = ollama_stream_text(stream, false);
    const std::string b = ollama_stream_text(stream, true);
    const std::size_t n = osprey::testing::comparable_length(a, b);
    EXPECT_EQ(a.substr(0, n), b.substr(0, n)) << edited;
  }
}

}  // namespace
}  // namespace osprey::providers::ollama
