#include "batch/openai/openai_batch_adapter.h"

#include <random>

#include "batch/vendor_call.h"
#include "core/json_parse.h"
#include "providers/openai/openai_upstream_codec.h"

namespace osprey::batch {
namespace {

using nlohmann::json;

constexpr std::string_view kEndpoint = "/v1/chat/completions";

providers::UpstreamError parse_openai_error(int status, const net::Headers& headers,
                                            std::string_view body) {
  return providers::openai::parse_error(status, body, providers::retry_hints(headers));
}

std::string random_boundary() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return "osprey-batch-" + std::to_string(rng());
}

class OpenAiBatchAdapter final : public BatchAdapter {
 public:
  OpenAiBatchAdapter(providers::ProviderConfig provider, std::string window)
      : provider_(std::move(provider)), window_(std::move(window)) {}

  std::string_view name() const override { return "openai"; }
  BatchLimits limits() const override { return {1, 50000}; }

  Result<SubmittedBatch> submit(const BatchSubmission& submission) const override {
    std::string jsonl;
    for (const BatchRecord& record : submission.records) {
      providers::ChatRequest request = record.request;
      request.model = submission.upstream_model;
      request.stream = false;
      json line = {{"custom_id", record.record_id},
                   {"method", "POST"},
                   {"url", kEndpoint},
                   {"body", providers::openai::build_chat_request(request)}};
      jsonl += line.dump();
      jsonl += '\n';
    }
    const std::string boundary = random_boundary();
    std::string form;
    form +=
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n";
    form += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
            submission.label + ".jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n";
    form += jsonl;
    form += "\r\n--" + boundary + "--\r\n";
    net::Headers headers = auth();
    headers.set("content-type", "multipart/form-data; boundary=" + boundary);
    auto file = vendor_call_json(provider_, "POST", url("/v1/files"), headers, std::move(form),
                                 parse_openai_error, "POST /v1/files");
    if (!file) return file.error();
    auto file_id = required_string(*file, "id", "POST /v1/files", "file id");
    if (!file_id) return file_id.error();

    json create = {{"input_file_id", file_id.value()},
                   {"endpoint", kEndpoint},
                   {"completion_window", window_},
                   {"metadata", {{"osprey_label", submission.label}}}};
    net::Headers json_headers = auth();
    json_headers.set("content-type", "application/json");
    auto batch = vendor_call_json(provider_, "POST", url("/v1/batches"), json_headers,
                                  create.dump(), parse_openai_error, "POST /v1/batches");
    if (!batch) return batch.error();
    auto id = required_string(*batch, "id", "POST /v1/batches", "batch id");
    if (!id) return id.error();
    return SubmittedBatch{id.value(), {{"input_file_id", file_id.value()}}};
  }

  Result<BatchStatus> poll(const SubmittedBatch& batch) const override {
    auto body = vendor_call_json(provider_, "GET", url("/v1/batches/" + batch.id), auth(), "",
                                 parse_openai_error, "GET /v1/batches");
    if (!body) return body.error();
    BatchStatus status;
    status.raw_state = string_field(*body, "status");
    auto state = parse_batch_state(status.raw_state);
    if (!state) {
      return make_error(ErrorCode::kUpstreamError,
                        "GET /v1/batches: unknown status \"" + status.raw_state + "\"");
    }
    status.state = *state;
    if (auto counts = body->find("request_counts"); counts != body->end() && counts->is_object()) {
      status.total = counts->value("total", std::int64_t{-1});
      status.succeeded = counts->value("completed", std::int64_t{-1});
      status.failed = counts->value("failed", std::int64_t{-1});
    }
    if (auto errors = body->find("errors"); errors != body->end() && errors->is_object()) {
      for (const json& e : errors->value("data", json::array())) {
        if (!status.message.empty()) status.message += "; ";
        status.message += string_field(e, "code") + ": " + string_field(e, "message");
      }
    }
    for (const char* key : {"output_file_id", "error_file_id"}) {
      const std::string id = string_field(*body, key);
      if (!id.empty()) status.data_update[key] = id;
    }
    return status;
  }

  Status cancel(const SubmittedBatch& batch) const override {
    net::Headers headers = auth();
    headers.set("content-type", "application/json");
    auto r = vendor_call(provider_, "POST", url("/v1/batches/" + batch.id + "/cancel"), headers,
                         "{}", parse_openai_error);
    if (!r) return cancel_refused(*this, batch, r.error());
    return {};
  }

  Result<std::vector<RecordOutcome>> import_results(const SubmittedBatch& batch) const override {
    std::vector<RecordOutcome> out;
    for (const char* key : {"output_file_id", "error_file_id"}) {
      const std::string file_id = string_field(batch.data, key);
      if (file_id.empty()) continue;
      auto content = vendor_call(provider_, "GET", url("/v1/files/" + file_id + "/content"), auth(),
                                 "", parse_openai_error);
      if (!content) return content.error();
      Status read = for_each_jsonl_line(content->body, [&](std::string_view line) -> Status {
        auto outcome = parse_openai_batch_line(line);
        if (!outcome) return outcome.error();
        out.push_back(std::move(outcome.value()));
        return {};
      });
      if (!read.ok()) return read.error();
    }
    return out;
  }

 private:
  std::string url(std::string_view path) const {
    return providers::join_url(provider_.base_url, path);
  }
  net::Headers auth() const {
    net::Headers h;
    if (!provider_.api_key.empty()) h.set("authorization", "Bearer " + provider_.api_key);
    return h;
  }

  providers::ProviderConfig provider_;
  std::string window_;
};

}  // namespace

Result<RecordOutcome> parse_openai_batch_line(std::string_view line) {
  json row = parse_json(line);
  if (row.is_discarded() || !row.is_object() || !row.contains("custom_id") ||
      !row["custom_id"].is_string()) {
    return make_error(ErrorCode::kUpstreamError,
                      "batch output line without custom_id: " + providers::body_excerpt(line));
  }
  RecordOutcome outcome;
  outcome.record_id = row["custom_id"].get<std::string>();
  const json error = row.value("error", json());
  const json response = row.value("response", json());
  if (response.is_object()) {
    outcome.http_status = response.value("status_code", 0);
    const json body = response.value("body", json());
    if (outcome.http_status >= 200 && outcome.http_status <= 299) {
      auto parsed = providers::openai::parse_chat_response(body.dump());
      if (!parsed) {
        outcome.kind = RecordOutcome::Kind::kErrored;
        outcome.error_code = "upstream_error";
        outcome.error_message = parsed.error().message;
      } else {
        outcome.response = std::move(parsed.value());
      }
      return outcome;
    }
    const json e = body.is_object() ? body.value("error", json()) : json();
    outcome.kind = RecordOutcome::Kind::kErrored;
    outcome.error_code = e.is_object() ? string_field(e, "code") : "";
    if (outcome.error_code.empty() && e.is_object()) outcome.error_code = string_field(e, "type");
    if (outcome.error_code.empty())
      outcome.error_code = "http_" + std::to_string(outcome.http_status);
    outcome.error_message = e.is_object() ? string_field(e, "message") : body.dump();
    return outcome;
  }
  // No response: the request never ran (batch_expired, batch_cancelled) or failed before it.
  outcome.kind = RecordOutcome::Kind::kErrored;
  outcome.error_code = error.is_object() ? string_field(error, "code") : "batch_error";
  outcome.error_message = error.is_object() ? string_field(error, "message") : "";
  if (outcome.error_code == "batch_expired" || outcome.error_code == "batch_cancelled") {
    outcome.kind = RecordOutcome::Kind::kNotRun;
  }
  return outcome;
}

Result<std::unique_ptr<BatchAdapter>> make_openai_batch_adapter(const AdapterContext& context) {
  std::string window = "24h";
  for (const auto& [key, value] : context.options.items()) {
    if (key != "completion_window") {
      return make_error(ErrorCode::kConfigInvalid,
                        "config: batch.native.adapters.openai." + key + ": unknown key");
    }
    if (!value.is_string() || value.get<std::string>().empty()) {
      return make_error(ErrorCode::kConfigInvalid,
                        "config: batch.native.adapters.openai.completion_window: must be a "
                        "non-empty string such as \"24h\"");
    }
    window = value.get<std::string>();
  }
  if (context.provider.base_url.empty()) {
    return make_error(ErrorCode::kConfigInvalid, "openai batch adapter: base_url is required");
  }
  return std::unique_ptr<BatchAdapter>(
      std::make_unique<OpenAiBatchAdapter>(context.provider, std::move(window)));
}

}  // namespace osprey::batch
