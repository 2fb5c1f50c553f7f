#pragma once
// Provider: one upstream protocol (OpenAI-compatible, Ollama, Anthropic, Bedrock, built-in local
// engines) behind one asynchronous interface. An instance is built once per deployment from
// validated config and is const afterwards, so it serves concurrent calls; the state of one call
// (its HTTP exchange, its stream parser) lives in objects that call owns.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/cancel_token.h"
#include "net/task.h"
#include "providers/chat_types.h"
#include "providers/upstream_result.h"

namespace osprey::providers {

// One deployment's connection settings, parsed and validated by the router's config loader.
struct ProviderConfig {
  std::string adapter;         // "openai" | "ollama" | "anthropic" | "bedrock" | "local"
  std::string base_url;        // e.g. "http://127.0.0.1:11434", "https://api.anthropic.com"
  std::string upstream_model;  // the model id the upstream knows; replaces ChatRequest::model
  std::string api_key;         // secret (resolved from env or file); empty if none
  std::map<std::string, std::string> headers;  // extra request headers
  std::string region;                          // bedrock
  std::string aws_access_key_id;               // bedrock; secret values resolved at load
  std::string aws_secret_access_key;
  std::string aws_session_token;
  std::string anthropic_version = "2023-06-01";
  bool verify_tls = true;  // false: https without certificate or host name check
  std::string ca_file;     // PEM bundle trusted instead of the system CAs; empty = system CAs
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds first_byte_timeout{60000};
  std::chrono::milliseconds total_timeout{600000};
  std::chrono::milliseconds idle_read_timeout{60000};  // max gap between stream chunks
  nlohmann::json options =
      nlohmann::json::object();  // defaults under ChatRequest::provider_options
};

// Per-call context passed down from the gateway: who asked, and when to give up.
struct CallContext {
  std::string request_id;
  std::shared_ptr<net::CancelToken> cancel;  // fired when the downstream client disconnects
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

// Pulls the events of one streaming answer in order. Owned by the caller; one reader per call.
class ChatEventReader {
 public:
  virtual ~ChatEventReader() = default;
  // The next event, std::nullopt after the clean end of the stream, or an error (stream cut,
  // timeout, an error event from the vendor). After an error or the end, do not call again.
  virtual net::Task<UpstreamResult<std::optional<StreamEvent>>> next() = 0;
  // True when next() will answer without waiting for the upstream (an event that arrived with an
  // earlier read, decoded here if need be): the caller may then hold what it writes, to send the
  // events that arrived together in one write.
  virtual bool ready() { return false; }
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view adapter() const = 0;

  // One complete answer.
  virtual net::Task<UpstreamResult<ChatResponse>> chat(const ChatRequest& request,
                                                       const CallContext& ctx) const = 0;
  // Opens a streaming answer: succeeds once the upstream accepted the request (2xx and headers
  // received); vendor errors before that are returned here, so the router can still retry.
  virtual net::Task<UpstreamResult<std::unique_ptr<ChatEventReader>>> stream(
      const ChatRequest& request, const CallContext& ctx) const = 0;
  // Active health probe. Never spends tokens: model-list or tag endpoints only.
  virtual net::Task<Status> probe(const CallContext& ctx) const = 0;
};

}  // namespace osprey::providers
