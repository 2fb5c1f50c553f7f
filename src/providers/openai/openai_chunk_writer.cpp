#include "providers/openai/openai_chunk_writer.h"

#include <nlohmann/json.hpp>

#include "providers/json_text.h"
#include "providers/openai/openai_response_writer.h"
#include "providers/overloaded.h"

namespace osprey::providers::openai {

namespace {

// A JSON string as dump() writes it. Text that is not valid UTF-8 (which no upstream parser
// lets through) gets U+FFFD in place of the bad bytes rather than an exception mid-stream.
void append_string(std::string& out, std::string_view text) {
  const std::size_t mark = out.size();
  if (append_json_text(out, text)) return;
  out.resize(mark);
  out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// a + b without signed overflow (upstream counts are not trusted to be small).
std::int64_t sum(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

OpenAiChunkWriter::OpenAiChunkWriter(std::string id, std::string model, std::int64_t created,
                                     bool include_usage)
    : id_(std::move(id)),
      model_(std::move(model)),
      created_(created),
      include_usage_(include_usage) {}

const std::string& OpenAiChunkWriter::common_members() {
  if (common_.empty()) {
    common_ = "\"created\":";
    append_json_integer(common_, created_);
    common_ += ",\"id\":";
    append_string(common_, id_);
    common_ += ",\"model\":";
    append_string(common_, model_);
    common_ += ",\"object\":\"chat.completion.chunk\"";
  }
  return common_;
}

std::string OpenAiChunkWriter::chunk(std::string_view delta, std::string_view finish_reason) {
  static constexpr std::string_view kOpen = "{\"choices\":[{\"delta\":";
  static constexpr std::string_view kFinish = ",\"finish_reason\":";
  static constexpr std::string_view kRest = ",\"index\":0,\"logprobs\":null}],";
  const std::string& common = common_members();
  std::string out;
  out.reserve(kOpen.size() + delta.size() + kFinish.size() + finish_reason.size() + kRest.size() +
              common.size() + 1);  // one allocation per chunk
  out.append(kOpen).append(delta).append(kFinish).append(finish_reason).append(kRest);
  out.append(common).push_back('}');
  return out;
}

void OpenAiChunkWriter::write(const StreamEvent& event, std::vector<std::string>& out) {
  // OpenAI streams always open with a role delta; emit it even if the upstream had no start.
  auto ensure_started = [&] {
    if (started_) return;
    started_ = true;
    out.push_back(chunk(R"({"content":"","role":"assistant"})", "null"));
  };
  std::string& delta = delta_;  // keeps its capacity from one event to the next
  std::visit(Overloaded{
                 [&](const MessageStartEvent& e) {
                   if (id_.empty() || model_.empty()) common_.clear();
                   if (id_.empty()) id_ = e.id;
                   if (model_.empty()) model_ = e.model;
                   ensure_started();
                 },
                 [&](const TextDeltaEvent& e) {
                   ensure_started();
                   if (e.text.empty()) return;
                   delta = "{\"content\":";
                   append_string(delta, e.text);
                   delta += '}';
                   out.push_back(chunk(delta, "null"));
                 },
                 [&](const ToolUseStartEvent& e) {
                   ensure_started();
                   const int k = static_cast<int>(tool_index_.size());
                   tool_index_[e.index] = k;
                   delta = R"({"tool_calls":[{"function":{"arguments":"","name":)";
                   append_string(delta, e.name);
                   delta += "},\"id\":";
                   append_string(delta, e.id);
                   delta += ",\"index\":";
                   append_json_integer(delta, k);
                   delta += ",\"type\":\"function\"}]}";
                   out.push_back(chunk(delta, "null"));
                 },
                 [&](const ToolUseDeltaEvent& e) {
                   ensure_started();
                   auto it = tool_index_.find(e.index);
                   if (it == tool_index_.end() || e.partial_json.empty()) return;
                   delta = R"({"tool_calls":[{"function":{"arguments":)";
                   append_string(delta, e.partial_json);
                   delta += "},\"index\":";
                   append_json_integer(delta, it->second);
                   delta += "}]}";
                   out.push_back(chunk(delta, "null"));
                 },
                 [&](const MessageStopEvent& e) {
                   ensure_started();
                   std::string reason;
                   append_string(reason, finish_reason(e.stop_reason));
                   out.push_back(chunk("{}", reason));
                 },
                 [&](const UsageEvent& e) {
                   if (e.input_tokens > 0) usage_.input_tokens = e.input_tokens;
                   if (e.output_tokens > 0) usage_.output_tokens = e.output_tokens;
                 },
             },
             event);
}

std::optional<std::string> OpenAiChunkWriter::finish() {
  if (!include_usage_) return std::nullopt;
  std::string out = "{\"choices\":[],";
  out += common_members();
  out += ",\"usage\":{\"completion_tokens\":";
  append_json_integer(out, usage_.output_tokens);
  out += ",\"prompt_tokens\":";
  append_json_integer(out, usage_.input_tokens);
  out += ",\"total_tokens\":";
  append_json_integer(out, sum(usage_.input_tokens, usage_.output_tokens));
  out += "}}";
  return out;
}

}  // namespace osprey::providers::openai
