// The behaviour every HTTP adapter promises, run against each vendor's fake upstream (the
// instantiations live in <vendor>_provider_test.cpp): chat, system prompt, tools, temperature 0,
// streaming that assembles to the non-stream answer, error mapping, cut streams, probes,
// cancellation and deadlines.
#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "providers/overloaded.h"
#include "support/eventually.h"
#include "unit/providers/adapter_fixture.h"

namespace osprey::providers::testing {
namespace {

using osprey::testing::eventually;
using namespace std::chrono_literals;

const ToolUseBlock* first_tool(const ChatResponse& r) {
  for (const auto& block : r.content) {
    if (const auto* t = std::get_if<ToolUseBlock>(&block)) return t;
  }
  return nullptr;
}

ChatRequest weather_question() {
  ChatRequest r = user_says("weather in Paris?");
  r.tools.push_back(weather_tool());
  r.tool_choice = ToolChoice{ToolChoice::Kind::kTool, "get_weather"};
  return r;
}

// The parts of an answer that must not depend on streaming (ids are per call).
struct Comparable {
  std::string text;
  std::vector<std::pair<std::string, json>> tools;
  StopReason stop;
  std::int64_t in;
  std::int64_t out;
  bool operator==(const Comparable&) const = default;
};

Comparable comparable(const ChatResponse& r) {
  Comparable c{response_text(r), {}, r.stop_reason, r.usage.input_tokens, r.usage.output_tokens};
  for (const auto& block : r.content) {
    if (const auto* t = std::get_if<ToolUseBlock>(&block)) c.tools.emplace_back(t->name, t->input);
  }
  return c;
}

TEST_P(AdapterTest, TextChatReturnsTheAnswerAndUsage) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = chat(*p, user_says("hello there"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(response_text(*r), "echo: hello there");
  EXPECT_EQ(r->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(r->usage.input_tokens, 2);
  EXPECT_EQ(r->usage.output_tokens, 3);
  auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].path, GetParam().chat_path);
  EXPECT_EQ(seen[0].header("x-request-id"), "req-1");
  EXPECT_EQ(seen[0].header("x-extra"), "yes");
}

TEST_P(AdapterTest, UpstreamModelReplacesThePublicName) {
  auto p = make();
  ASSERT_TRUE(p);
  ASSERT_TRUE(chat(*p, user_says("hi")).ok());
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].body.find("public-name"), std::string::npos);
  const json body = last_body();
  if (body.contains("model")) {
    EXPECT_EQ(body["model"], config().upstream_model);
  }
}

TEST_P(AdapterTest, SystemPromptArrivesInTheVendorField) {
  auto p = make();
  ASSERT_TRUE(p);
  ChatRequest req = user_says("hello there");
  req.system.push_back("be brief");
  auto r = chat(*p, req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(GetParam().system_text(last_body()), "be brief");
  EXPECT_EQ(r->usage.input_tokens, 4);  // the fake counts system words too
}

TEST_P(AdapterTest, ToolCallKeepsTheToolNameAndArguments) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = chat(*p, weather_question());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ToolUseBlock* tool = first_tool(*r);
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->name, "get_weather");
  EXPECT_EQ(tool->input, json({{"city", "test"}}));
  EXPECT_FALSE(tool->id.empty());
  EXPECT_EQ(r->stop_reason, StopReason::kToolUse);
  if (GetParam().tool_choice) {
    EXPECT_EQ(GetParam().tool_choice(last_body()), GetParam().expected_tool_choice);
  }
}

TEST_P(AdapterTest, ToolResultTurnIsAnswered) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = chat(*p, tool_round_trip());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(response_text(*r), "tool result: sunny");
}

TEST_P(AdapterTest, TemperatureZeroIsSent) {
  auto p = make();
  ASSERT_TRUE(p);
  ChatRequest req = user_says("hi");
  req.inference.temperature = 0.0;
  ASSERT_TRUE(chat(*p, req).ok());
  const json t = GetParam().temperature(last_body());
  ASSERT_TRUE(t.is_number()) << last_body().dump();
  EXPECT_EQ(t.get<double>(), 0.0);
}

TEST_P(AdapterTest, StreamedTextAssemblesToTheChatAnswer) {
  auto p = make();
  ASSERT_TRUE(p);
  auto whole = chat(*p, user_says("one two three four"));
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  StreamOutcome s = stream(*p, user_says("one two three four"));
  ASSERT_FALSE(s.open_error) << s.open_error->message;
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_TRUE(s.clean_end);
  EXPECT_GT(s.events.size(), 3u);
  EXPECT_EQ(comparable(s.assembled), comparable(*whole));
  EXPECT_EQ(fake_->requests().back().header("x-request-id"), "req-1");
}

TEST_P(AdapterTest, StreamedToolCallAssemblesToTheChatAnswer) {
  auto p = make();
  ASSERT_TRUE(p);
  auto whole = chat(*p, weather_question());
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  StreamOutcome s = stream(*p, weather_question());
  ASSERT_FALSE(s.open_error) << s.open_error->message;
  ASSERT_FALSE(s.error) << s.error->message;
  EXPECT_TRUE(s.clean_end);
  EXPECT_EQ(comparable(s.assembled), comparable(*whole));
  ASSERT_NE(first_tool(s.assembled), nullptr);
  EXPECT_EQ(first_tool(s.assembled)->name, "get_weather");
}

struct StatusCase {
  int status;
  ErrorCode code;
  bool retryable;
};

TEST_P(AdapterTest, VendorErrorsMapToStableCodes) {
  auto p = make();
  ASSERT_TRUE(p);
  for (const StatusCase& c : {StatusCase{400, ErrorCode::kInvalidRequest, false},
                              StatusCase{401, ErrorCode::kUpstreamError, false},
                              StatusCase{429, ErrorCode::kUpstreamRateLimited, true},
                              StatusCase{500, ErrorCode::kUpstreamError, true},
                              StatusCase{503, ErrorCode::kUpstreamError, true}}) {
    SCOPED_TRACE("status " + std::to_string(c.status));
    fakes::FaultConfig f;
    f.status = c.status;
    fake_->set_faults(f);
    auto r = chat(*p, user_says("hi"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().retryable, c.retryable);
    EXPECT_EQ(r.error().http_status, c.status);
    EXPECT_FALSE(r.error().retry_after.has_value());
    StreamOutcome s = stream(*p, user_says("hi"));
    ASSERT_TRUE(s.open_error);  // errors before the stream opens come from stream() itself
    EXPECT_EQ(s.open_error->code, c.code);
  }
}

TEST_P(AdapterTest, RateLimitCarriesRetryAfter) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.status = 429;
  f.retry_after_s = 7;
  fake_->set_faults(f);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamRateLimited);
  EXPECT_TRUE(r.error().retryable);
  ASSERT_TRUE(r.error().retry_after.has_value());
  EXPECT_EQ(*r.error().retry_after, 7000ms);
  StreamOutcome s = stream(*p, user_says("hi"));
  ASSERT_TRUE(s.open_error);
  ASSERT_TRUE(s.open_error->retry_after.has_value());
  EXPECT_EQ(*s.open_error->retry_after, 7000ms);
}

TEST_P(AdapterTest, WrongCredentialsAreNotRetryable) {
  if (GetParam().fake_api_key.empty()) GTEST_SKIP() << "this vendor has no credentials";
  ProviderConfig c = config();
  c.api_key = "wrong-key";
  c.aws_access_key_id = c.aws_access_key_id.empty() ? "" : "AKIDWRONG";
  auto p = make(c);
  ASSERT_TRUE(p);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_status, GetParam().auth_failure_status);
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_FALSE(probe(*p).ok());  // a probe with bad credentials marks the deployment unhealthy
}

TEST_P(AdapterTest, MalformedBodyIsAnUpstreamError) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.malformed = true;
  fake_->set_faults(f);
  auto r = chat(*p, user_says("hello there"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  StreamOutcome s = stream(*p, user_says("one two three four five"));
  ASSERT_FALSE(s.open_error);
  ASSERT_TRUE(s.error);
  EXPECT_FALSE(s.clean_end);
  EXPECT_EQ(s.error->code, ErrorCode::kUpstreamError);
}

TEST_P(AdapterTest, StreamCutMidwayIsAnErrorNotACleanEnd) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.cut_after_chunks = 3;
  fake_->set_faults(f);
  StreamOutcome s = stream(*p, user_says("one two three four five six seven"));
  ASSERT_FALSE(s.open_error) << s.open_error->message;
  ASSERT_TRUE(s.error);
  EXPECT_FALSE(s.clean_end);
  EXPECT_FALSE(s.events.empty());
  EXPECT_EQ(s.error->code, ErrorCode::kUpstreamError);
  EXPECT_FALSE(s.error->retryable);  // part of the answer was already delivered
}

TEST_P(AdapterTest, InStreamVendorErrorIsAnError) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.stream_error_after_chunks = 3;
  fake_->set_faults(f);
  StreamOutcome s = stream(*p, user_says("one two three four five six seven"));
  ASSERT_FALSE(s.open_error) << s.open_error->message;
  ASSERT_TRUE(s.error);
  EXPECT_FALSE(s.clean_end);
  EXPECT_FALSE(s.error->retryable);
}

TEST_P(AdapterTest, ProbeHitsTheModelListWithoutChatting) {
  auto p = make();
  ASSERT_TRUE(p);
  const Status s = probe(*p);
  EXPECT_TRUE(s.ok()) << s.error().message;
  const auto seen = fake_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].path, GetParam().probe_path);
  EXPECT_EQ(fake_->stats().chat_calls, 0u);
}

TEST_P(AdapterTest, ProbeFailsWhenTheUpstreamIsUnhealthy) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.probe_fail = true;
  fake_->set_faults(f);
  EXPECT_FALSE(probe(*p).ok());
  f = fakes::FaultConfig{};
  f.down = true;
  fake_->set_faults(f);
  EXPECT_FALSE(probe(*p).ok());
}

// A port nobody listens on: bound, then closed again.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

TEST_P(AdapterTest, ConnectFailureIsRetryable) {
  ProviderConfig c = GetParam().config("http://127.0.0.1:" + std::to_string(closed_port()));
  c.first_byte_timeout = 5s;  // a refused connect never waits for it; a wrong setup fails fast
  auto p = make(c);
  ASSERT_TRUE(p);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamError);
  EXPECT_TRUE(r.error().retryable);
  StreamOutcome s = stream(*p, user_says("hi"));
  ASSERT_TRUE(s.open_error);
  EXPECT_TRUE(s.open_error->retryable);
  EXPECT_FALSE(probe(*p).ok());
}

TEST_P(AdapterTest, FirstByteTimeoutIsARetryableTimeout) {
  ProviderConfig c = config();
  c.first_byte_timeout = 50ms;
  auto p = make(c);
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.hang = true;
  fake_->set_faults(f);
  auto r = chat(*p, user_says("hi"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_TRUE(r.error().retryable);
}

TEST_P(AdapterTest, CancellationStopsAHangingCall) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.hang = true;
  fake_->set_faults(f);
  CallContext c = ctx();
  std::thread canceller([&] {
    eventually([&] { return fake_->stats().in_flight == 1; });
    c.cancel->cancel();
  });
  auto r = run(io_, p->chat(user_says("hi"), c));
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kClientClosed);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_TRUE(eventually([&] { return fake_->stats().cancelled == 1; }));
}

TEST_P(AdapterTest, CancellationStopsAStalledStream) {
  auto p = make();
  ASSERT_TRUE(p);
  fakes::FaultConfig f;
  f.chunk_delay_ms = 300000;
  fake_->set_faults(f);
  CallContext c = ctx();
  std::thread canceller([&] {
    eventually([&] { return fake_->stats().in_flight == 1; });
    c.cancel->cancel();
  });
  StreamOutcome s = run(io_, collect(*p, user_says("one two three"), c));
  canceller.join();
  // The cancel may land before or after the stream opened; either way it ends the call.
  const std::optional<UpstreamError>& error = s.open_error ? s.open_error : s.error;
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kClientClosed);
  EXPECT_FALSE(s.clean_end);
}

TEST_P(AdapterTest, PassedDeadlineSendsNothing) {
  auto p = make();
  ASSERT_TRUE(p);
  CallContext c = ctx();
  c.deadline = std::chrono::steady_clock::now() - 1s;
  auto r = run(io_, p->chat(user_says("hi"), c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_P(AdapterTest, RegistryRejectsAConfigWithoutModel) {
  ProviderConfig c = config();
  c.upstream_model.clear();
  ProviderRegistry registry;
  register_builtin_providers(registry);
  auto p = registry.create(c, client_);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kConfigInvalid);
  EXPECT_NE(p.error().message.find("model"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find(GetParam().name), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace osprey::providers::testing
