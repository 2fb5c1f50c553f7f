#pragma once
// Personality: one vendor's wire format as a fake upstream speaks it — which paths exist, how
// auth is checked, how requests are read and how answers, streams and errors are written. Built
// from the vendors' public API docs, never from Osprey's own codecs (tests would be circular).
// Immutable after construction; every method is const and thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fakes/fake_http_server.h"
#include "fakes/recorded_request.h"
#include "fakes/scripted_answer.h"

namespace osprey::fakes {

enum class Vendor { kOpenAi, kAnthropic, kOllama, kBedrock };

// "openai" | "anthropic" | "ollama" | "bedrock".
std::optional<Vendor> parse_vendor(std::string_view name);
std::string_view vendor_name(Vendor vendor);

struct Reply {
  int status = 200;
  HeaderList headers;
  std::string body;
};

// A chat request the personality accepted.
struct ParsedChat {
  ChatTurn turn;
  std::string model;
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
};

// A stream as a list of wire chunks (SSE events, NDJSON lines or event-stream frames). The
// terminating chunk(s) ([DONE], message_stop, done:true, messageStop/metadata) are part of it.
struct StreamPlan {
  HeaderList headers;
  std::vector<std::string> chunks;
};

class Personality {
 public:
  enum class Route { kChat, kProbe, kUnknown };

  virtual ~Personality() = default;
  virtual Vendor vendor() const = 0;
  virtual Route classify(const RecordedRequest& req) const = 0;
  // nullopt when the credentials are acceptable, else the vendor's auth error.
  virtual std::optional<Reply> check_auth(const RecordedRequest& req) const = 0;
  // The accepted request, or the vendor's 400 for malformed JSON / missing fields.
  virtual std::variant<ParsedChat, Reply> parse_chat(const RecordedRequest& req) const = 0;
  // The vendor's error for `status` (its error type/code chosen from the status).
  virtual Reply error(int status, std::string_view message) const = 0;
  // Adds the vendor's retry hint headers to an error reply.
  virtual void add_retry_after(Reply& reply, int seconds) const;
  // The error a vendor sends inside an already started stream (after a 200), ending it.
  virtual std::string stream_error(std::string_view message) const = 0;
  virtual Reply probe() const = 0;
  // `seq` makes ids unique per call.
  virtual Reply complete(const ParsedChat& chat, const ScriptedAnswer& answer,
                         std::uint64_t seq) const = 0;
  virtual StreamPlan stream(const ParsedChat& chat, const ScriptedAnswer& answer,
                            std::uint64_t seq) const = 0;
};

struct PersonalityOptions {
  std::string api_key;              // empty: any key accepted (where the vendor needs one)
  std::vector<std::string> models;  // listed by the probe endpoint; empty: a vendor default
};

std::unique_ptr<Personality> make_personality(Vendor vendor, const PersonalityOptions& options);
std::unique_ptr<Personality> make_openai_personality(const PersonalityOptions& options);
std::unique_ptr<Personality> make_anthropic_personality(const PersonalityOptions& options);
std::unique_ptr<Personality> make_ollama_personality(const PersonalityOptions& options);
std::unique_ptr<Personality> make_bedrock_personality(const PersonalityOptions& options);

// Shared by personalities: the text of the content forms vendors use (a string, or an array of
// blocks with "text"), joined by newlines.
std::string text_of(const nlohmann::json& content);
// True only if `obj` is an object whose `key` is the boolean true.
bool json_true(const nlohmann::json& obj, std::string_view key);
// %XX escapes decoded (AWS paths carry model ids, ARNs and S3 keys percent-encoded).
std::string percent_decode(std::string_view s);

}  // namespace osprey::fakes
