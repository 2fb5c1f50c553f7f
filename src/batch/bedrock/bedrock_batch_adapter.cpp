#include "batch/bedrock/bedrock_batch_adapter.h"

#include <charconv>
#include <chrono>

#include "core/json_parse.h"
#include "net/blocking_client.h"
#include "providers/bedrock/aws_request_signer.h"
#include "providers/bedrock/batch_records.h"
#include "providers/bedrock/converse_codec.h"
#include "providers/upstream_error.h"

namespace osprey::batch::bedrock {
namespace {

using nlohmann::json;
namespace pb = providers::bedrock;

constexpr std::string_view kInputFile = "input.jsonl";

// Bedrock job names: [a-zA-Z0-9](-*[a-zA-Z0-9+\-.])*, at most 63 characters. A time suffix
// keeps names (and the S3 keys under them) unique when a fresh store reuses job numbers.
std::string job_name(const std::string& label) {
  std::string name;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '+' || c == '.';
    name.push_back(ok ? c : '-');
  }
  if (name.empty() || name.front() == '-' || name.front() == '+' || name.front() == '.') {
    name.insert(0, "osprey");
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  char suffix[24];
  auto [end, ec] =
      std::to_chars(suffix, suffix + sizeof suffix,
                    std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), 36);
  (void)ec;
  std::string tail = "-";
  tail.append(suffix, end);
  if (name.size() > 63 - tail.size()) name.resize(63 - tail.size());
  return name + tail;
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t slash = key.find('/', start);
    std::string seg = key.substr(start, slash - start);
    if (!seg.empty()) out.push_back(std::move(seg));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string join_key(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "/" + b;
}

// The job id Bedrock puts in S3 output paths: the last segment of the job ARN.
std::string job_id_of(const std::string& job_arn) {
  const auto slash = job_arn.rfind('/');
  return slash == std::string::npos ? job_arn : job_arn.substr(slash + 1);
}

// The text between <tag> and </tag> of an S3 XML error, or "".
std::string xml_field(std::string_view body, std::string_view tag) {
  std::string open = "<";
  open.append(tag).append(">");
  std::string close = "</";
  close.append(tag).append(">");
  const auto a = body.find(open);
  if (a == std::string_view::npos) return {};
  const auto b = body.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return std::string(body.substr(a + open.size(), b - a - open.size()));
}

Error http_failure(const net::ClientResponse& r, const std::string& service) {
  if (service == "s3") {
    std::string code = xml_field(r.body, "Code");
    std::string message = xml_field(r.body, "Message");
    if (code.empty()) code = "HTTP " + std::to_string(r.status);
    auto e = providers::upstream_error_from_status(
        r.status, "bedrock batch: s3: " + code + (message.empty() ? "" : ": " + message));
    return e.to_error();
  }
  return pb::parse_error(r.status, r.headers.get("x-amzn-ErrorType"), r.body).to_error();
}

bool is_success(int status) { return status >= 200 && status < 300; }

std::string record_error_code(int status, const std::string& raw) {
  if (status == 400) return "invalid_request";
  if (status == 408) return "timeout";
  if (status == 429) return "rate_limited";
  if (status >= 500) return "upstream_error";
  return "bedrock_" + raw;
}

const std::string* data_string(const SubmittedBatch& batch, const char* key) {
  auto it = batch.data.find(key);
  return it != batch.data.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

}  // namespace

BatchState bedrock_job_state(std::string_view status) {
  if (status == "Submitted") return BatchState::kSubmitted;
  if (status == "Validating") return BatchState::kValidating;
  if (status == "Scheduled") return BatchState::kScheduled;
  if (status == "InProgress") return BatchState::kInProgress;
  if (status == "Stopping") return BatchState::kCancelling;
  if (status == "Stopped") return BatchState::kCancelled;
  if (status == "Completed" || status == "PartiallyCompleted") return BatchState::kCompleted;
  if (status == "Failed") return BatchState::kFailed;
  if (status == "Expired") return BatchState::kExpired;
  return BatchState::kInProgress;
}

Result<std::unique_ptr<BatchAdapter>> BedrockBatchAdapter::create(const AdapterContext& context) {
  auto config = parse_bedrock_batch_config(context);
  if (!config) return config.error();
  return std::unique_ptr<BatchAdapter>(std::make_unique<BedrockBatchAdapter>(std::move(*config)));
}

BedrockBatchAdapter::BedrockBatchAdapter(BedrockBatchConfig config) : config_(std::move(config)) {}

BatchLimits BedrockBatchAdapter::limits() const {
  return BatchLimits{config_.min_records, config_.max_records};
}

Result<net::ClientResponse> BedrockBatchAdapter::send(net::ClientRequest request,
                                                      const std::string& base_url,
                                                      const std::vector<std::string>& segments,
                                                      const std::string& service) const {
  const pb::AwsSigningScope scope{config_.region, service, config_.credentials};
  if (auto ok = pb::sign_aws_request(request, base_url, segments, {}, scope); !ok) {
    return ok.error();
  }
  request.tls = config_.tls;
  net::ClientOptions options;
  options.max_response_body_bytes = config_.max_output_bytes;
  auto response = net::fetch(std::move(request), options);
  if (!response) {
    return make_error(response.error().code,
                      "bedrock batch: " + service + ": " + response.error().message);
  }
  return response;
}

Result<net::ClientResponse> BedrockBatchAdapter::control(const std::string& method,
                                                         const std::vector<std::string>& segments,
                                                         std::string body) const {
  net::ClientRequest request;
  request.method = method;
  request.body = std::move(body);
  request.headers.set("accept", "application/json");
  if (!request.body.empty()) request.headers.set("content-type", "application/json");
  return send(std::move(request), config_.bedrock_endpoint, segments, "bedrock");
}

Result<net::ClientResponse> BedrockBatchAdapter::s3(const std::string& method,
                                                    const std::string& key,
                                                    std::string body) const {
  net::ClientRequest request;
  request.method = method;
  request.body = std::move(body);
  if (method == "PUT") request.headers.set("content-type", "application/jsonl");
  std::vector<std::string> segments = split_key(key);
  std::string base = config_.s3_endpoint;
  if (base.empty()) {
    base = "https://" + config_.bucket + ".s3." + config_.region + ".amazonaws.com";
  } else {
    segments.insert(segments.begin(), config_.bucket);  // path-style addressing
  }
  return send(std::move(request), base, segments, "s3");
}

Result<SubmittedBatch> BedrockBatchAdapter::submit(const BatchSubmission& submission) const {
  const auto family = config_.model_family ? config_.model_family
                                           : pb::batch_model_family(submission.upstream_model);
  if (!family) {
    return make_error(ErrorCode::kInvalidRequest,
                      "bedrock batch: model '" + submission.upstream_model +
                          "' is neither Anthropic Claude nor Amazon Nova; set "
                          "batch.native.adapters.bedrock.model_family for custom model ids");
  }
  std::vector<json> inputs;
  json record_ids = json::array();
  inputs.reserve(submission.records.size());
  for (const BatchRecord& record : submission.records) {
    providers::ChatRequest request = record.request;
    request.model = submission.upstream_model;
    auto input = pb::build_model_input(*family, request);
    if (!input) {
      return make_error(input.error().code, "bedrock batch: record '" + record.record_id +
                                                "': " + input.error().message);
    }
    inputs.push_back(std::move(*input));
    record_ids.push_back(record.record_id);
  }
  const std::string name = job_name(submission.label);
  const std::string base_key = join_key(config_.prefix, name);
  const std::string input_key = base_key + "/" + std::string(kInputFile);
  const std::string output_key = base_key + "/output";

  auto put = s3("PUT", input_key, pb::build_input_file(inputs));
  if (!put) return put.error();
  if (!is_success(put->status)) return http_failure(*put, "s3");

  json body = {
      {"jobName", name},
      {"clientRequestToken", name},
      {"roleArn", config_.role_arn},
      {"modelId", submission.upstream_model},
      {"inputDataConfig",
       {{"s3InputDataConfig",
         {{"s3InputFormat", "JSONL"}, {"s3Uri", "s3://" + config_.bucket + "/" + input_key}}}}},
      {"outputDataConfig",
       {{"s3OutputDataConfig", {{"s3Uri", "s3://" + config_.bucket + "/" + output_key + "/"}}}}},
  };
  if (config_.timeout_hours) body["timeoutDurationInHours"] = *config_.timeout_hours;
  auto created = control("POST", {"model-invocation-job"}, body.dump());
  if (!created) return created.error();
  if (!is_success(created->status)) return http_failure(*created, "bedrock");
  const json answer = parse_json(created->body);
  if (!answer.is_object() || !answer.contains("jobArn") || !answer["jobArn"].is_string()) {
    return providers::malformed_upstream_body("bedrock",
                                              "CreateModelInvocationJob answer has no jobArn: " +
                                                  providers::body_excerpt(created->body))
        .to_error();
  }
  SubmittedBatch out;
  out.id = answer["jobArn"].get<std::string>();
  out.data = {{"family", pb::batch_model_family_name(*family)},
              {"model_id", submission.upstream_model},
              {"job_name", name},
              {"input_key", input_key},
              {"output_key", output_key},
              {"record_ids", std::move(record_ids)}};
  return out;
}

Result<BatchStatus> BedrockBatchAdapter::poll(const SubmittedBatch& batch) const {
  auto got = control("GET", {"model-invocation-job", batch.id}, "");
  if (!got) return got.error();
  if (!is_success(got->status)) return http_failure(*got, "bedrock");
  const json doc = parse_json(got->body);
  if (!doc.is_object() || !doc.contains("status") || !doc["status"].is_string()) {
    return providers::malformed_upstream_body(
               "bedrock",
               "GetModelInvocationJob answer has no status: " + providers::body_excerpt(got->body))
        .to_error();
  }
  BatchStatus status;
  status.raw_state = doc["status"].get<std::string>();
  status.state = bedrock_job_state(status.raw_state);
  status.message = doc.value("message", "");
  const std::string* output_key = data_string(batch, "output_key");
  if (is_terminal(status.state) && output_key != nullptr) {
    // The manifest exists once Bedrock has written results; a job that never ran has none.
    auto manifest = s3("GET", *output_key + "/" + job_id_of(batch.id) + "/manifest.json.out", "");
    if (manifest && manifest->status == 200) {
      if (auto m = pb::parse_manifest(manifest->body)) {
        status.total = m->total_records;
        status.succeeded = m->success_records;
        status.failed = m->error_records;
      }
    }
  }
  return status;
}

Status BedrockBatchAdapter::cancel(const SubmittedBatch& batch) const {
  auto stopped = control("POST", {"model-invocation-job", batch.id, "stop"}, "");
  if (!stopped) return stopped.error();
  if (is_success(stopped->status)) return {};
  // Stopping a job that already ended is refused by Bedrock; for the caller it is done.
  return cancel_refused(*this, batch, http_failure(*stopped, "bedrock"));
}

Result<std::vector<RecordOutcome>> BedrockBatchAdapter::import_results(
    const SubmittedBatch& batch) const {
  const std::string* output_key = data_string(batch, "output_key");
  const std::string* family_name = data_string(batch, "family");
  const auto family =
      family_name != nullptr ? pb::parse_batch_model_family(*family_name) : std::nullopt;
  auto ids = batch.data.find("record_ids");
  if (output_key == nullptr || !family || ids == batch.data.end() || !ids->is_array()) {
    return make_error(ErrorCode::kInternal,
                      "bedrock batch: job " + batch.id + " lacks its submission data");
  }
  const std::string key =
      *output_key + "/" + job_id_of(batch.id) + "/" + std::string(kInputFile) + ".out";
  auto got = s3("GET", key, "");
  if (!got) return got.error();
  std::vector<RecordOutcome> outcomes;
  if (got->status == 404) return outcomes;  // nothing ran: every record is "not run"
  if (!is_success(got->status)) return http_failure(*got, "s3");

  const std::string* model_id = data_string(batch, "model_id");
  const pb::BatchOutput output = pb::parse_output_file(got->body, *family);
  for (const pb::BatchRecordResult& record : output.records) {
    if (!record.index || *record.index >= ids->size() || !(*ids)[*record.index].is_string()) {
      continue;  // not a record of ours
    }
    RecordOutcome outcome;
    outcome.record_id = (*ids)[*record.index].get<std::string>();
    if (record.ok()) {
      outcome.kind = RecordOutcome::Kind::kSucceeded;
      outcome.response = *record.response;
      if (model_id != nullptr && outcome.response.model.empty()) {
        outcome.response.model = *model_id;
      }
    } else {
      outcome.kind = RecordOutcome::Kind::kErrored;
      int status = 0;
      std::from_chars(record.error_code.data(), record.error_code.data() + record.error_code.size(),
                      status);
      outcome.http_status = status;
      outcome.error_code = record.error_code == "malformed_output"
                               ? record.error_code
                               : record_error_code(status, record.error_code);
      outcome.error_message = record.error_message;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace osprey::batch::bedrock
