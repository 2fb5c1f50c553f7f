// What the validation issue adds to the hot path: PII redaction of one log line (an access line
// without personal data, and a debug line with some), a whole log::write with and without
// the redactor, and JSON Schema validation of chat bodies. Log output goes to /dev/null.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/log.h"
#include "core/pii_redactor.h"
#include "gateway/validation/request_validator.h"

namespace {

using osprey::PiiRedactor;
namespace validation = osprey::gateway::validation;

const std::shared_ptr<const PiiRedactor>& redactor() {
  static const auto r = PiiRedactor::create({}).value();
  return r;
}

// The string fields of one access line, as http_observer writes them.
void BM_RedactAccessLineFields(benchmark::State& state) {
  const std::string fields[] = {"http_request",
                                "4f1c9a2b8d7e6f5a4b3c2d1e0f9a8b7c",
                                "POST",
                                "/v1/chat/completions",
                                "/v1/chat/completions",
                                "ok",
                                "127.0.0.1:51234"};
  std::string out;
  for (auto _ : state) {
    for (const auto& f : fields) benchmark::DoNotOptimize(redactor()->redact(f, out));
  }
}
BENCHMARK(BM_RedactAccessLineFields);

void BM_RedactPromptPreviewWithPii(benchmark::State& state) {
  const std::string text =
      "Hi, I am Jane (jane.doe@example.com). Call me on +1 (555) 010-4477 or charge my card "
      "4111 1111 1111 1111 for the order 2026-11-25 #12345, thanks!";
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(redactor()->redact(text, out));
}
BENCHMARK(BM_RedactPromptPreviewWithPii);

// A whole access line through log::write; Arg(0) without, Arg(1) with the redactor.
void BM_LogAccessLine(benchmark::State& state) {
  const int saved = ::dup(STDERR_FILENO);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  ::dup2(null_fd, STDERR_FILENO);
  osprey::log::Options options;
  if (state.range(0) == 1) options.redactor = redactor();
  (void)osprey::log::init(options);
  for (auto _ : state) {
    osprey::log::info("http_request", {{"request_id", "4f1c9a2b8d7e6f5a4b3c2d1e0f9a8b7c"},
                                       {"method", "POST"},
                                       {"route", "/v1/chat/completions"},
                                       {"path", "/v1/chat/completions"},
                                       {"status", 200},
                                       {"code", "ok"},
                                       {"latency_ms", 1.234},
                                       {"bytes_in", std::uint64_t{120}},
                                       {"bytes_out", std::uint64_t{512}},
                                       {"remote", "127.0.0.1:51234"}});
  }
  (void)osprey::log::init(osprey::log::Options{});
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(null_fd);
}
BENCHMARK(BM_LogAccessLine)->Arg(0)->Arg(1);

const validation::RequestValidator& validator() {
  static const auto v = validation::RequestValidator::create({}).value();
  return *v;
}

void BM_ValidateSmallChat(benchmark::State& state) {
  const auto body = nlohmann::json::parse(
      R"({"model":"chat","messages":[{"role":"system","content":"be brief"},
          {"role":"user","content":"hello there"}],"temperature":0.2,"max_tokens":64})");
  for (auto _ : state) {
    benchmark::DoNotOptimize(validator().check(validation::BodyKind::kChatCompletions, body));
  }
}
BENCHMARK(BM_ValidateSmallChat);

void BM_ValidateToolChat(benchmark::State& state) {
  const auto body = nlohmann::json::parse(R"({"model":"chat",
      "tools":[{"type":"function","function":{"name":"get_weather","description":"d",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
      "tool_choice":"auto","response_format":{"type":"json_object"},
      "messages":[{"role":"system","content":"be brief"},{"role":"user","content":[
        {"type":"text","text":"weather?"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
        {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
          "function":{"name":"get_weather","arguments":"{}"}}]},
        {"role":"tool","tool_call_id":"c1","content":"sunny"}]})");
  for (auto _ : state) {
    benchmark::DoNotOptimize(validator().check(validation::BodyKind::kChatCompletions, body));
  }
}
BENCHMARK(BM_ValidateToolChat);

void BM_ValidateInvalidChat(benchmark::State& state) {
  const auto body = nlohmann::json::parse(
      R"({"model":"chat","messages":[{"role":"user","content":"hi"},{"role":"robot","content":"x"}]})");
  for (auto _ : state) {
    benchmark::DoNotOptimize(validator().check(validation::BodyKind::kChatCompletions, body));
  }
}
BENCHMARK(BM_ValidateInvalidChat);

}  // namespace

BENCHMARK_MAIN();
