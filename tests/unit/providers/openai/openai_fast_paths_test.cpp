// The DOM-free paths of the OpenAI codec (one parse and two serializations per proxied request,
// one parse per streamed chunk) must give exactly what the nlohmann DOM paths give: the same
// ChatResponse, stream events or error for every upstream body, the same bytes for every request
// and response.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "providers/openai/openai_chunk_reader.h"
#include "providers/openai/openai_request_parser.h"
#include "providers/openai/openai_response_writer.h"
#include "providers/openai/openai_stream_parser.h"
#include "providers/openai/openai_upstream_codec.h"
#include "support/byte_mutator.h"
#include "unit/providers/fast_path_reference.h"
#include "unit/providers/fixture_file.h"

namespace osprey::providers::openai {
namespace {

using nlohmann::json;
using testing::read_fixture;

using osprey::testing::kBom;
using osprey::testing::kJsonBytes;
using osprey::testing::without_bom;

// The fake upstream's answer, field for field what OpenAI sends.
const std::string kFakeUpstreamResponse =
    R"({"id":"chatcmpl-fake1","object":"chat.completion","created":1795622715,"model":"m",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"echo: hi","refusal":null,)"
    R"("annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,)"
    R"("completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":0}},"service_tier":"default"})";
// The benchmark's request.
const std::string kBenchRequest =
    R"({"model":"bench-model","messages":[{"role":"system","content":"You are a terse )"
    R"(assistant."},{"role":"user","content":"Say hello to the benchmark in five words."}],)"
    R"("max_tokens":16,"temperature":0})";

// nlohmann skips a leading UTF-8 byte order mark; the fast path does not take such a body, so
// prefixing one forces the DOM path: the reference every fast result is compared with.
Result<ChatResponse> parse_via_dom(const std::string& body) {
  return parse_chat_response(std::string(kBom) + body);
}

std::string describe(const Result<ChatResponse>& r) {
  if (!r) {
    // Error messages quote the body; drop the mark the reference path was given.
    return "error " + std::string(code_name(r.error().code)) + ": " +
           without_bom(r.error().message);
  }
  json blocks = json::array();
  for (const auto& b : r->content) {
    if (const auto* t = std::get_if<TextBlock>(&b)) blocks.push_back({{"text", t->text}});
    if (const auto* u = std::get_if<ToolUseBlock>(&b)) {
      blocks.push_back({{"tool", u->name}, {"id", u->id}, {"input", u->input}});
    }
  }
  return json{{"id", r->id},
              {"model", r->model},
              {"created", r->created},
              {"stop", static_cast<int>(r->stop_reason)},
              {"in", r->usage.input_tokens},
              {"out", r->usage.output_tokens},
              {"content", blocks}}
      .dump();
}

TEST(OpenAiFastPaths, ResponseParseMatchesTheDomPath) {
  const std::vector<std::string> bodies = {
      kFakeUpstreamResponse,
      read_fixture("openai/response_text.json"),
      read_fixture("openai/response_tool_calls.json"),
      R"({"choices":[{"message":{"content":"a\"b\\c\n\td\/e"},"finish_reason":"length"}]})",
      R"({"choices":[{"message":{"content":""},"finish_reason":null}],"usage":null})",
      R"({"choices":[{"message":{"content":null,"tool_calls":[]}}],"created":1.5})",
      R"({"choices":[{"message":{"content":"x"}},{"message":7}],"created":"soon"})",
      R"({"choices":[{"message":{"content":"caf\u00e9 \ud83d\ude00"}}]})",
      "{\"choices\":[{\"message\":{\"content\":\"caf\xC3\xA9\"}}]}",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":2.0}})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":"2"}})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":null}})",
      R"({"choices":[{"message":{"content":"x"}}],"created":99999999999999999999})",
      R"({"id":"a","id":"b","choices":[{"message":{"content":"x"}}]})",
      R"({"choices":[{"message":{"content":"x"}}],"choices":[{"message":{"content":"y"}}]})",
      R"({"id":7,"choices":[{"message":{"content":"x"}}]})",
      R"({"choices":[]})",
      R"({"choices":[1]})",
      R"({"choices":[{"message":"hi"}]})",
      R"({"choices":[{"finish_reason":"stop"}]})",
      R"({"choices":[{"message":{"content":"x"}}]} trailing)",
      R"({"choices":[{"message":{"content":"x",}}]})",
      R"({"choices":[{"message":{"content":"x"},"finish_reason":"st\/op"}]})",
      R"({"choices":[{"message":{"content":"x"},"finish_reason":"\u0073top"}]})",
      R"({"i\/d":"a","choices":[{"message":{"cont\/ent":"y","content":"x"}}]})",
      R"({"\u0069d":"a","choices":[{"message":{"content":"x"}}]})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":3,)"
      R"("prompt_tokens":4}})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"completion_tokens":-0}})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"x\"y":{"a\tb":[1,{"c":2}]}}})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"k\u0065y":1}})",
      R"({"choices":[{"message":{"content":"x"}}],"created":1e3})",
      R"({"choices":[{"message":{"content":"x"}}],"created":-0})",
      R"({"choices":[{"message":{"content":"x"}}],"created":0123})",
      R"({"choices":[{"message":{"content":"x"}}],"service_tier":1e999})",
      R"({"choices":[{"message":{"content":"x"}}],"usage":{"total_tokens":-2E+400}})",
      R"({ "choices" : [ { "message" : { "content" : "x" } } ] , "id" : "i" } )",
      R"([1,2])",
      "not json",
      "",
  };
  for (const auto& body : bodies) {
    EXPECT_EQ(describe(parse_chat_response(body)), describe(parse_via_dom(body))) << body;
  }
  // The reference really is the DOM path: it reads a body the fast path never takes.
  EXPECT_TRUE(parse_via_dom(R"({"choices":[{"message":{"content":"\u00e9"}}]})").ok());
}

std::string describe(const Result<ChatRequest>& r) {
  if (!r) return "error " + std::string(code_name(r.error().code)) + ": " + r.error().message;
  return build_chat_request(*r).dump() + " include_usage=" + std::to_string(r->include_usage) +
         " provider_options=" + r->provider_options.dump();
}

TEST(OpenAiFastPaths, RequestParseMatchesTheDomPath) {
  const std::vector<std::string> bodies = {
      read_fixture("openai/client_request_tools.json"),
      kBenchRequest,
      R"({"model":"m","messages":[{"role":"developer","content":""},{"role":"user","content":""},)"
      R"({"role":"assistant","content":"a\"b\n"},{"role":"user","content":"x","name":"bob"}],)"
      R"("temperature":-0,"top_p":0.25,"seed":-7,"user":"u1","stream":true,)"
      R"("stream_options":{"include_usage":true,"other":1},"max_completion_tokens":5})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":-0.0,"top_p":1e-3,)"
      R"("max_tokens":null,"stream":false,"stream_options":{"include_usage":null}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":18446744073709551615})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1,"max_completion_tokens":2})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":1})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"user":"a","user":"b"})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2,"logit_bias":{}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b"]})",
      R"({"model":"m","messages":[{"role":"assistant","content":""}]})",
      R"({"model":"m","messages":[{"role":"assistant","content":null}]})",
      R"({"model":"m","messages":[{"role":"system"}]})",
      R"({"model":"m","messages":[{"role":"robot","content":"x"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"caf\u00e9"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"model":"n"})",
      R"({"model":"","messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m","messages":[]})",
      R"({"model":"m"})",
      R"({"messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}]} x)",
      R"({"model":"m","messages":[{"role":"user","content":"x"},]})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1,"temperature":2})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"top_p":1,"top_p":null})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"seed":1,"seed":2})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream":false})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":null,"max_tokens":3})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{},)"
      R"("stream_options":{"include_usage":true}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true,)"
      R"("include_usage":false}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":2,)"
      R"("max_completion_tokens":3})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1E2,"top_p":-1.5e-1})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":01})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"seed":9223372036854775808})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"seed":-9223372036854775808})",
      R"({"model":"m","messages":[{"role":"us\/er","content":"x"}]})",
      R"({"model":"m","messages":[{"role":"\u0075ser","content":"x"}]})",
      R"({"model":"m","messages":[{"rol\/e":"user","role":"user","content":"x"}]})",
      R"({"model":"m","messages":[{"role":"user","role":"system","content":"x"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x","content":"y"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"a\"b\\c\/d\b\f\n\r\t"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x","name":"n\/a","refusal":null}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x","name":7}]})",
      R"({"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":"x"}]})",
      R"({"model":"m","messages":[{"content":"x","role":"system"},{"role":"developer","content":"y"}]})",
      R"({"mod\/el":"m","model":"m","messages":[{"role":"user","content":"x"}]})",
      R"({"model":"m\/n","user":"u\tv","messages":[{"role":"user","content":"x"}]})",
      R"( { "model" : "m" , "messages" : [ { "role" : "user" , "content" : "x" } ] } )",
      "[]",
      "",
  };
  for (const auto& body : bodies) {
    EXPECT_EQ(describe(parse_chat_request_text(body)),
              describe(parse_chat_request_text(std::string(kBom) + body)))
        << body;
  }
}

// Mutated bodies reach the almost-valid inputs the lists above miss (a number cut short, an
// escape broken, a stray byte that is not UTF-8): the fast path takes many of them, and whatever
// it answers, success or error, the DOM path answers the same.
TEST(OpenAiFastPaths, MutatedResponsesParseAsTheDomParsesThem) {
  const std::vector<std::string> seeds = {kFakeUpstreamResponse,
                                          read_fixture("openai/response_text.json"),
                                          read_fixture("openai/response_tool_calls.json")};
  std::mt19937 rng(20261127);
  int parsed = 0;
  for (int i = 0; i < 10000 && !HasFailure(); ++i) {
    const std::string body =
        osprey::testing::mutate_bytes(seeds[rng() % seeds.size()], rng, kJsonBytes);
    const auto fast = parse_chat_response(body);
    if (fast.ok()) ++parsed;
    const std::string a = describe(fast);
    const std::string b = describe(parse_via_dom(body));
    const std::size_t n = osprey::testing::comparable_length(a, b);
    EXPECT_EQ(a.substr(0, n), b.substr(0, n)) << body;
  }
  EXPECT_GT(parsed, 1000);  // the accepting side is exercised too
}

TEST(OpenAiFastPaths, MutatedRequestsParseAsTheDomParsesThem) {
  const std::vector<std::string> seeds = {
      kBenchRequest,
      R"({"model":"m","messages":[{"role":"developer","content":"d"},{"role":"user",)"
      R"("content":"a\"b\u00e9"}],"temperature":0.5,"top_p":1e-1,"seed":-7,"user":"u1",)"
      R"("stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":5})",
  };
  std::mt19937 rng(271120261);
  int taken = 0;
  for (int i = 0; i < 10000 && !HasFailure(); ++i) {
    const std::string body =
        osprey::testing::mutate_bytes(seeds[rng() % seeds.size()], rng, kJsonBytes);
    if (parse_plain_chat_request(body).has_value()) ++taken;
    EXPECT_EQ(describe(parse_chat_request_text(body)),
              describe(parse_chat_request_text(std::string(kBom) + body)))
        << body;
  }
  EXPECT_GT(taken, 800);  // the fast path takes many of them
}

// A stream's payloads through one parser, event by event, up to its first error. `via_dom`
// prefixes each chunk with a byte order mark, which the fast path never takes.
std::string describe_stream(const std::vector<std::string>& payloads, bool via_dom) {
  OpenAiStreamParser parser;
  return osprey::testing::stream_transcript(parser, payloads, [&](const std::string& payload) {
    const bool mark = via_dom && !payload.starts_with("[DONE]");
    return parser.feed(mark ? std::string(kBom) + payload : payload);
  });
}

std::vector<std::string> fixture_payloads(const std::string& fixture) {
  std::vector<std::string> payloads;
  for (const auto& sse : testing::split_sse(read_fixture(fixture))) payloads.push_back(sse.data);
  return payloads;
}

TEST(OpenAiFastPaths, StreamChunksParseAsTheDomParsesThem) {
  const std::string opening =
      R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"m",)"
      R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})";
  const std::string tool_opening =
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",)"
      R"("function":{"name":"f","arguments":""}}]}}]})";
  const std::vector<std::string> chunks = {
      R"({"id":"c","model":"m","choices":[{"delta":{"content":"a\"b\\c\n\/"},"finish_reason":null}]})",
      R"({"choices":[{"delta":{"content":null},"finish_reason":"length"}],"usage":null})",
      R"({"choices":[{"delta":{"content":""}}]})",
      R"({"choices":[]})",
      R"({"choices":null,"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}})",
      R"({"choices":[1]})",
      R"({"choices":[{"delta":"x"}]})",
      R"({"choices":[{"delta":{"content":7}}]})",
      R"({"choices":[{"delta":{"content":"x"}},{"delta":{"content":"second choice"}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f",)"
      R"("arguments":"{"}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"x"}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":1.0}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":"0"}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":-1,"id":"neg"}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":4294967296}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[7]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":2,"id":5}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":5}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":null}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":3,"function":null}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":null}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":{"a":1}}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":null}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0},{"index":0,"function":{"arguments":"y"}}]}}]})",
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"index":1}]}}]})",
      R"({"choices":[{"delta":{"content":"x"},"finish_reason":"weird"}]})",
      R"({"choices":[{"delta":{"content":"x"},"finish_reason":7}]})",
      R"({"choices":[{"delta":{},"finish_reason":"tool_calls","finish_reason":"stop"}]})",
      R"({"usage":{"prompt_tokens":2.0}})",
      R"({"usage":{"prompt_tokens":"2"}})",
      R"({"usage":{"prompt_tokens":null}})",
      R"({"usage":{"prompt_tokens":true}})",
      R"({"usage":{"prompt_tokens":1,"prompt_tokens":2}})",
      R"({"usage":7})",
      R"({"usage":{"total_tokens":1e999}})",
      R"({"created":169E4268190,"choices":[]})",
      R"({"id":7,"choices":[]})",
      R"({"id":null})",
      R"({"model":"a","model":"b"})",
      R"({"error":{"message":"overloaded","type":"server_error"}})",
      R"({"error":null})",
      R"({"choices":[{"delta":{"content":"x"}}]} trailing)",
      R"({"choices":[{"delta":{"content":"x",}}]})",
      R"({"choices":[{"delta":{"content":"caf\u00e9 \ud83d\ude00"}}]})",
      "{\"choices\":[{\"delta\":{\"content\":\"caf\xC3\xA9\"}}]}",
      "{\"choices\":[{\"delta\":{\"content\":\"bad \xC3\"}}]}",
      R"({"choices":[{"delta":{"content":"x","content":"y"}}]})",
      R"({"choices":[{"delta":{"cont\/ent":"x"}}]})",
      R"({"ch\u006fices":[{"delta":{"content":"x"}}]})",
      R"({ "choices" : [ { "delta" : { "content" : "x" } } ] } )",
      "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\r\n",
      R"([1])",
      "not json",
      "",
      "[DONE]",
  };
  for (const std::string& chunk : chunks) {
    for (const std::vector<std::string>& stream :
         {std::vector<std::string>{chunk}, std::vector<std::string>{opening, chunk},
          std::vector<std::string>{opening, tool_opening, chunk, "[DONE]"}}) {
      EXPECT_EQ(describe_stream(stream, false), describe_stream(stream, true)) << chunk;
    }
  }
  for (const char* fixture : {"openai/stream_text.sse", "openai/stream_tool_calls.sse"}) {
    const std::vector<std::string> stream = fixture_payloads(fixture);
    EXPECT_EQ(describe_stream(stream, false), describe_stream(stream, true)) << fixture;
    EXPECT_TRUE(describe_stream(stream, false).ends_with("done")) << fixture;
    // The fast path takes every chunk of a real stream.
    for (std::size_t i = 0; i + 1 < stream.size(); ++i) {
      EXPECT_TRUE(read_plain_chunk(stream[i], i == 0).has_value()) << stream[i];
    }
  }
  // The reference really is the DOM path: it reads a chunk the fast path never takes.
  EXPECT_EQ(describe_stream({R"({"choices":[{"delta":{"content":"\u00e9"}}]})"}, true),
            "start  \ntext 0 \xC3\xA9\nopen");
}

// One chunk of a real stream edited at random, anywhere in the stream: the events and errors
// are the same on both paths.
TEST(OpenAiFastPaths, MutatedStreamsParseAsTheDomParsesThem) {
  const std::vector<std::vector<std::string>> seeds = {
      fixture_payloads("openai/stream_text.sse"), fixture_payloads("openai/stream_tool_calls.sse")};
  std::mt19937 rng(20261128);
  int taken = 0;
  for (int i = 0; i < 10000 && !HasFailure(); ++i) {
    std::vector<std::string> stream = seeds[rng() % seeds.size()];
    const std::size_t at = rng() % stream.size();
    stream[at] = osprey::testing::mutate_bytes(stream[at], rng, kJsonBytes);
    if (read_plain_chunk(stream[at], at == 0).has_value()) ++taken;
    const std::string a = describe_stream(stream, false);
    const std::string b = describe_stream(stream, true);
    const std::size_t n = osprey::testing::comparable_length(a, b);
    EXPECT_EQ(a.substr(0, n), b.substr(0, n)) << stream[at];
  }
  EXPECT_GT(taken, 1000);  // the fast path takes many of them
}

ChatRequest parse_request(const std::string& text) {
  auto parsed = parse_chat_request_text(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? std::move(parsed).value() : ChatRequest{};
}

TEST(OpenAiFastPaths, RequestTextMatchesTheDom) {
  const std::vector<std::string> requests = {
      read_fixture("openai/client_request_tools.json"),
      R"({"model":"m","messages":[{"role":"system","content":"You are terse."},)"
      R"({"role":"user","content":"Say \"hi\"\n\tnow"}],"max_tokens":16,"temperature":0})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.7,"top_p":0.1,)"
      R"("seed":-3,"user":"u","stop":"END","zeta":{"b":1,"a":[true,null]},"aaa":1,"n":2,)"
      R"("response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,)"
      R"("schema":{"type":"object"}}}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"text"}})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
      R"("response_format":{"type":"json_object"},"tool_choice":"required",)"
      R"("tools":[{"type":"function","function":{"name":"f"}}]})",
      R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
      R"("response_format":{"type":"json_schema","json_schema":{"name":"n"}},"tool_choice":"none"})",
      R"({"model":"m","messages":[{"role":"assistant","content":"partial"},)"
      R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},)"
      R"({"role":"tool","tool_call_id":"c1","content":"42"}],"provider_options":{"top_k":5}})",
  };
  const json extras[] = {json::object(), json{{"temperature", 1.0}, {"top_k", 40}},
                         json{{"a\"b", "c\n"}, {"max_tokens", 3}, {"n", 1.5}},
                         json{{"model", "ignored"}, {"a", 1}, {"zz", "last"}}, json()};
  for (const auto& text : requests) {
    const ChatRequest request = parse_request(text);
    for (bool stream : {false, true}) {
      for (const json& extra : extras) {
        ChatRequest copy = request;
        copy.model = "upstream-model";
        copy.stream = stream;
        copy.extra = extra;
        EXPECT_EQ(write_chat_request(request, "upstream-model", stream, extra),
                  build_chat_request(copy).dump())
            << text << " extra " << extra.dump();
      }
    }
  }
}

TEST(OpenAiFastPaths, RequestNumbersAreWrittenAsTheDomWritesThem) {
  ChatRequest request =
      parse_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
  const double samples[] = {0.0, -0.0, 0.1 + 0.2, 1e-7, 1e21, 123456.789, 2.0, 5e-324};
  for (const double v : samples) {
    request.inference.temperature = v;
    request.inference.top_p = -v;
    request.inference.seed = std::numeric_limits<std::int64_t>::min();
    request.inference.max_tokens = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(write_chat_request(request, "m", false, json::object()),
              build_chat_request(request).dump())
        << v;
  }
}

TEST(OpenAiFastPaths, ResponseTextMatchesTheDom) {
  ChatResponse r;
  r.id = "chatcmpl-1";
  r.model = "public-model";
  r.created = 1700000000;
  r.stop_reason = StopReason::kMaxTokens;
  r.usage = {7, 9};
  EXPECT_EQ(render_chat_response_text(r), render_chat_response(r).dump());  // no content
  r.content.emplace_back(TextBlock{""});  // one empty block: "", not null
  EXPECT_EQ(render_chat_response_text(r), render_chat_response(r).dump());
  r.content.clear();
  r.content.emplace_back(TextBlock{"a single block, long enough to live on the heap"});
  EXPECT_EQ(render_chat_response_text(r), render_chat_response(r).dump());
  r.content.clear();
  r.content.emplace_back(TextBlock{"Hello \"there\"\n\\ \x01\x1f\x7f caf\xC3\xA9 /"});
  r.content.emplace_back(TextBlock{" and more"});
  EXPECT_EQ(render_chat_response_text(r), render_chat_response(r).dump());
  r.content.emplace_back(ToolUseBlock{"call_1", "get_weather", json{{"city", "Paris"}}});
  EXPECT_EQ(render_chat_response_text(r), render_chat_response(r).dump());
  ChatResponse invalid;
  invalid.content.emplace_back(TextBlock{"\xC3"});  // invalid UTF-8: dump() throws, as before
  EXPECT_THROW(render_chat_response_text(invalid), json::exception);
}

}  // namespace
}  // namespace osprey::providers::openai
