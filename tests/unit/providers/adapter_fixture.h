#pragma once
// Shared pieces of the adapter tests: one AdapterCase per vendor (how to configure the adapter
// against its fake upstream and where its wire format puts each field), a fixture that starts
// the fake and runs provider coroutines on a local io_context, and sample chat requests.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/fake_upstream.h"
#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"
#include "providers/stream_accumulator.h"

namespace osprey::providers::testing {

using nlohmann::json;

struct AdapterCase {
  std::string name;  // adapter name, also the test instantiation name
  fakes::Vendor vendor;
  std::string fake_api_key;  // what the fake insists on (empty: no check)
  // Config pointing at the fake.
  std::function<ProviderConfig(const std::string& base_url)> config;
  std::string chat_path;          // the path a non-streaming chat must hit
  std::string probe_path;         // the path a probe must hit
  int auth_failure_status = 401;  // what the vendor answers to bad credentials
  // Where the vendor's request body carries each field.
  std::function<json(const json& body)> temperature;
  std::function<std::string(const json& body)> system_text;
  std::function<json(const json& body)> tool_choice;  // null when the vendor has none
  json expected_tool_choice;                          // for ToolChoice kTool "get_weather"
};

template <typename T>
net::Task<void> store_into(net::Task<T> task, std::optional<T>* out) {
  out->emplace(co_await std::move(task));
}

// Blocks on a provider coroutine, running it on `io` (rethrows what it threw).
template <typename T>
T run(boost::asio::io_context& io, net::Task<T> task) {
  std::optional<T> out;
  auto future =
      boost::asio::co_spawn(io, store_into(std::move(task), &out), boost::asio::use_future);
  io.restart();
  io.run();
  future.get();
  return std::move(*out);
}

struct StreamOutcome {
  std::vector<StreamEvent> events;
  std::optional<UpstreamError> open_error;  // stream() failed
  std::optional<UpstreamError> error;       // next() failed
  bool clean_end = false;
  ChatResponse assembled;
};

inline TextBlock text(std::string s) { return TextBlock{std::move(s)}; }

inline ChatRequest user_says(const std::string& words) {
  ChatRequest r;
  r.model = "public-name";
  r.messages.push_back(Message{Role::kUser, {text(words)}});
  return r;
}

inline ToolSpec weather_tool() {
  return ToolSpec{"get_weather", "Weather for a city",
                  json{{"type", "object"},
                       {"properties", {{"city", {{"type", "string"}}}}},
                       {"required", {"city"}}}};
}

// user asks → assistant calls get_weather → the tool answers "sunny".
inline ChatRequest tool_round_trip() {
  ChatRequest r = user_says("weather in Paris?");
  r.tools.push_back(weather_tool());
  r.messages.push_back(
      Message{Role::kAssistant, {ToolUseBlock{"call_1", "get_weather", json{{"city", "Paris"}}}}});
  ToolResultBlock result;
  result.tool_use_id = "call_1";
  result.content.push_back(ToolResultPart{ToolResultPart::Kind::kText, "sunny", json()});
  r.messages.push_back(Message{Role::kUser, {result}});
  return r;
}

class AdapterTest : public ::testing::TestWithParam<AdapterCase> {
 protected:
  void SetUp() override { start_fake(); }

  void start_fake(fakes::FaultConfig faults = {}) {
    fakes::FakeUpstreamOptions o;
    o.vendor = GetParam().vendor;
    o.api_key = GetParam().fake_api_key;
    o.io_threads = 1;
    o.faults = faults;
    fake_ = std::make_unique<fakes::FakeUpstream>(o);
    const Status s = fake_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }

  ProviderConfig config() const { return GetParam().config(fake_->base_url()); }

  std::unique_ptr<Provider> make(const ProviderConfig& c) {
    ProviderRegistry registry;
    register_builtin_providers(registry);
    auto p = registry.create(c, client_);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? std::move(*p) : nullptr;
  }
  std::unique_ptr<Provider> make() { return make(config()); }

  CallContext ctx(std::string id = "req-1") {
    CallContext c;
    c.request_id = std::move(id);
    c.cancel = std::make_shared<net::CancelToken>();
    return c;
  }

  UpstreamResult<ChatResponse> chat(const Provider& p, const ChatRequest& r) {
    return run(io_, p.chat(r, ctx()));
  }

  StreamOutcome stream(const Provider& p, const ChatRequest& r) {
    return run(io_, collect(p, r, ctx()));
  }

  static net::Task<StreamOutcome> collect(const Provider& p, ChatRequest r, CallContext c) {
    StreamOutcome out;
    auto reader = co_await p.stream(r, c);
    if (!reader) {
      out.open_error = reader.error();
      co_return out;
    }
    StreamAccumulator acc;
    for (int i = 0; i < 100000; ++i) {  // bounded: a broken reader must not hang the test
      auto next = co_await (*reader)->next();
      if (!next) {
        out.error = next.error();
        break;
      }
      if (!next.value()) {
        out.clean_end = true;
        break;
      }
      acc.add(*next.value());
      out.events.push_back(*next.value());
    }
    out.assembled = acc.response();
    co_return out;
  }

  Status probe(const Provider& p) { return run(io_, p.probe(ctx("probe-1"))); }

  // The JSON body of the last recorded request.
  json last_body() const {
    auto seen = fake_->requests();
    if (seen.empty()) return json();
    return json::parse(seen.back().body, nullptr, false);
  }

  boost::asio::io_context io_;  // declared first: outlives the client's pooled sockets
  net::HttpClient client_;
  std::unique_ptr<fakes::FakeUpstream> fake_;
};

}  // namespace osprey::providers::testing
