#include "batch/anthropic/anthropic_batch_adapter.h"

#include "batch/vendor_call.h"
#include "core/json_parse.h"
#include "providers/anthropic/anthropic_codec.h"

namespace osprey::batch {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultBaseUrl = "https://api.anthropic.com";

providers::UpstreamError parse_anthropic_error(int status, const net::Headers& headers,
                                               std::string_view body) {
  return providers::anthropic::parse_error(status, body, providers::retry_hints(headers));
}

bool valid_custom_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::int64_t count(const json& counts, const char* key) {
  auto it = counts.find(key);
  return it != counts.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

class AnthropicBatchAdapter final : public BatchAdapter {
 public:
  explicit AnthropicBatchAdapter(providers::ProviderConfig provider)
      : provider_(std::move(provider)) {}

  std::string_view name() const override { return "anthropic"; }
  BatchLimits limits() const override { return {1, 100000}; }

  Result<SubmittedBatch> submit(const BatchSubmission& submission) const override {
    json requests = json::array();
    json id_map = json::object();  // custom_id sent → record id, for ids Anthropic refuses
    for (std::size_t i = 0; i < submission.records.size(); ++i) {
      const BatchRecord& record = submission.records[i];
      providers::ChatRequest request = record.request;
      request.model = submission.upstream_model;
      request.stream = false;
      std::string custom_id = record.record_id;
      if (!valid_custom_id(custom_id)) {
        custom_id = "osprey-" + std::to_string(i);
        id_map[custom_id] = record.record_id;
      }
      requests.push_back({{"custom_id", custom_id},
                          {"params", providers::anthropic::build_messages_request(request)}});
    }
    const json body = {{"requests", std::move(requests)}};
    auto batch = vendor_call_json(provider_, "POST", url("/v1/messages/batches"), headers(),
                                  body.dump(), parse_anthropic_error, "POST /v1/messages/batches");
    if (!batch) return batch.error();
    auto id = required_string(*batch, "id", "POST /v1/messages/batches", "batch id");
    if (!id) return id.error();
    SubmittedBatch out{id.value(), json::object()};
    if (!id_map.empty()) out.data["id_map"] = std::move(id_map);
    return out;
  }

  Result<BatchStatus> poll(const SubmittedBatch& batch) const override {
    auto body = vendor_call_json(provider_, "GET", url("/v1/messages/batches/" + batch.id),
                                 headers(), "", parse_anthropic_error, "GET /v1/messages/batches");
    if (!body) return body.error();
    BatchStatus status;
    status.raw_state = string_field(*body, "processing_status");
    const json counts = body->value("request_counts", json::object());
    const std::int64_t processing = count(counts, "processing");
    const std::int64_t succeeded = count(counts, "succeeded");
    const std::int64_t errored = count(counts, "errored");
    const std::int64_t canceled = count(counts, "canceled");
    const std::int64_t expired = count(counts, "expired");
    status.total = processing + succeeded + errored + canceled + expired;
    status.succeeded = succeeded;
    status.failed = errored;
    const bool cancel_initiated =
        body->contains("cancel_initiated_at") && !(*body)["cancel_initiated_at"].is_null();
    if (status.raw_state == "in_progress") {
      status.state = succeeded + errored + canceled + expired == 0 ? BatchState::kScheduled
                                                                   : BatchState::kInProgress;
    } else if (status.raw_state == "canceling") {
      status.state = BatchState::kCancelling;
    } else if (status.raw_state == "ended") {
      if (cancel_initiated) {
        status.state = BatchState::kCancelled;
      } else if (status.total > 0 && expired == status.total) {
        status.state = BatchState::kExpired;
      } else {
        status.state = BatchState::kCompleted;
      }
    } else {
      return make_error(ErrorCode::kUpstreamError,
                        "GET /v1/messages/batches: unknown "
                        "processing_status \"" +
                            status.raw_state + "\"");
    }
    const std::string results_url = string_field(*body, "results_url");
    if (!results_url.empty()) status.data_update["results_url"] = results_url;
    return status;
  }

  Status cancel(const SubmittedBatch& batch) const override {
    auto r = vendor_call(provider_, "POST", url("/v1/messages/batches/" + batch.id + "/cancel"),
                         headers(), "", parse_anthropic_error);
    if (!r) return cancel_refused(*this, batch, r.error());
    return {};
  }

  Result<std::vector<RecordOutcome>> import_results(const SubmittedBatch& batch) const override {
    std::string results_url = string_field(batch.data, "results_url");
    if (results_url.empty()) return std::vector<RecordOutcome>{};
    if (results_url.front() == '/') results_url = url(results_url);
    auto content = vendor_call(provider_, "GET", results_url, headers(), "", parse_anthropic_error);
    if (!content) return content.error();
    const json id_map = batch.data.value("id_map", json::object());
    std::vector<RecordOutcome> out;
    Status read = for_each_jsonl_line(content->body, [&](std::string_view line) -> Status {
      auto outcome = parse_anthropic_batch_line(line);
      if (!outcome) return outcome.error();
      if (auto mapped = id_map.find(outcome->record_id); mapped != id_map.end()) {
        outcome->record_id = mapped->get<std::string>();
      }
      out.push_back(std::move(outcome.value()));
      return {};
    });
    if (!read.ok()) return read.error();
    return out;
  }

 private:
  std::string url(std::string_view path) const {
    return providers::join_url(provider_.base_url.empty() ? kDefaultBaseUrl : provider_.base_url,
                               path);
  }
  net::Headers headers() const {
    net::Headers h;
    h.set("x-api-key", provider_.api_key);
    h.set("anthropic-version", provider_.anthropic_version);
    h.set("content-type", "application/json");
    return h;
  }

  providers::ProviderConfig provider_;
};

}  // namespace

Result<RecordOutcome> parse_anthropic_batch_line(std::string_view line) {
  json row = parse_json(line);
  if (row.is_discarded() || !row.is_object() || !row.contains("custom_id") ||
      !row["custom_id"].is_string() || !row.contains("result") || !row["result"].is_object()) {
    return make_error(ErrorCode::kUpstreamError, "batch results line without custom_id/result: " +
                                                     providers::body_excerpt(line));
  }
  RecordOutcome outcome;
  outcome.record_id = row["custom_id"].get<std::string>();
  const json& result = row["result"];
  const std::string type = string_field(result, "type");
  if (type == "succeeded") {
    auto parsed = providers::anthropic::parse_messages_response(
        result.value("message", json::object()).dump());
    if (!parsed) {
      outcome.kind = RecordOutcome::Kind::kErrored;
      outcome.error_code = "upstream_error";
      outcome.error_message = parsed.error().message;
    } else {
      outcome.response = std::move(parsed.value());
    }
  } else if (type == "errored") {
    // {"type":"error","error":{"type":"invalid_request_error","message":...}}
    const json error = result.value("error", json::object());
    const json inner = error.value("error", error);
    outcome.kind = RecordOutcome::Kind::kErrored;
    outcome.error_code = string_field(inner, "type");
    if (outcome.error_code.empty()) outcome.error_code = "errored";
    outcome.error_message = string_field(inner, "message");
    outcome.http_status = providers::anthropic::status_for_error_type(outcome.error_code);
  } else if (type == "canceled" || type == "expired") {
    outcome.kind = RecordOutcome::Kind::kNotRun;
    outcome.error_code = type == "canceled" ? "batch_cancelled" : "batch_expired";
    outcome.error_message = "the request was " + type + " before it ran";
  } else {
    return make_error(ErrorCode::kUpstreamError,
                      "batch results line: unknown result type \"" + type + "\"");
  }
  return outcome;
}

Result<std::unique_ptr<BatchAdapter>> make_anthropic_batch_adapter(const AdapterContext& context) {
  for (const auto& [key, value] : context.options.items()) {
    (void)value;
    return make_error(ErrorCode::kConfigInvalid,
                      "config: batch.native.adapters.anthropic." + key + ": unknown key");
  }
  return std::unique_ptr<BatchAdapter>(std::make_unique<AnthropicBatchAdapter>(context.provider));
}

}  // namespace osprey::batch
