#include "fakes/bedrock_batch_fake.h"

#include <limits>

#include "fakes/batch_record_answers.h"
#include "fakes/personality.h"

namespace osprey::fakes {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kAccount = "123456789012";

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(percent_decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request,
// SignedHeaders=..., Signature=..."; empty when the header does not have that shape.
struct CredentialScope {
  std::string key_id, region, service;
};
std::optional<CredentialScope> credential_scope(const std::string& auth) {
  constexpr std::string_view kPrefix = "AWS4-HMAC-SHA256 Credential=";
  if (!auth.starts_with(kPrefix) || auth.find("SignedHeaders=") == std::string::npos ||
      auth.find("Signature=") == std::string::npos) {
    return std::nullopt;
  }
  const std::string credential = auth.substr(kPrefix.size(), auth.find(',') - kPrefix.size());
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= credential.size()) {
    std::size_t slash = credential.find('/', start);
    if (slash == std::string::npos) slash = credential.size();
    parts.push_back(credential.substr(start, slash - start));
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[4] != "aws4_request") return std::nullopt;
  return CredentialScope{parts[0], parts[2], parts[3]};
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "s3://bucket/a/b" → {"bucket", "a/b"}.
std::optional<std::pair<std::string, std::string>> parse_s3_uri(const std::string& uri) {
  if (!uri.starts_with("s3://")) return std::nullopt;
  const std::string rest = uri.substr(5);
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return std::make_pair(rest, std::string());
  return std::make_pair(rest.substr(0, slash), rest.substr(slash + 1));
}

}  // namespace

struct BedrockBatchFake::Job {
  std::string arn, id, name, token, model_id, role_arn, status = "Submitted", message;
  std::string input_uri, output_uri;
  std::string input_bucket, input_key, input_text;
  std::size_t records = 0;
  int stop_calls = 0;
  bool stopped_in_progress = false;
  Clock::time_point entered = Clock::now();
  std::chrono::system_clock::time_point submit_time = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point modified_time = submit_time;
  std::vector<std::string> history{"Submitted"};

  void enter(const std::string& next, Clock::time_point at) {
    status = next;
    entered = at;
    modified_time = std::chrono::system_clock::now();
    history.push_back(next);
  }
};

BedrockBatchFake::BedrockBatchFake(BedrockBatchFakeOptions options)
    : options_(std::move(options)),
      stay_scheduled_(options_.stay_scheduled),
      fail_record_ids_(options_.fail_record_ids) {}

BedrockBatchFake::~BedrockBatchFake() { stop(); }

Status BedrockBatchFake::start() {
  std::string error;
  auto server = start_fake_http_server(
      server_, [this](const RecordedRequest& req, FakeExchange& ex) { return handle(req, ex); },
      options_.io_threads, options_.port, error);
  if (!server) return make_error(ErrorCode::kUnavailable, error);
  server_ = std::move(server);
  return {};
}

void BedrockBatchFake::stop() {
  if (server_) server_->stop();
}

std::string BedrockBatchFake::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0);
}

Task<void> BedrockBatchFake::handle(const RecordedRequest& req, FakeExchange& ex) {
  Answer answer;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(req);
  }
  const auto scope = credential_scope(req.header("Authorization"));
  const bool is_s3 = scope && scope->service == "s3";
  auto denied = [&](std::string code, std::string message) {
    if (is_s3) {
      return Answer{403,
                    {{"Content-Type", "application/xml"}},
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                        "</Code><Message>" + message + "</Message></Error>"};
    }
    return Answer{403,
                  {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", code}},
                  json{{"message", message}}.dump()};
  };
  if (!scope) {
    answer = denied("MissingAuthenticationTokenException",
                    "Authorization must be AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, "
                    "Signature=…");
  } else if (req.header("X-Amz-Date").empty()) {
    answer = denied("IncompleteSignatureException", "X-Amz-Date is required");
  } else if (!options_.access_key_id.empty() && scope->key_id != options_.access_key_id) {
    answer = denied(is_s3 ? "InvalidAccessKeyId" : "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
  } else if (is_s3) {
    answer = handle_s3(req);
  } else if (scope->service == "bedrock") {
    answer = handle_bedrock(req, scope->region);
  } else {
    answer = denied("InvalidSignatureException", "unknown service " + scope->service);
  }
  co_await ex.respond(answer.status, answer.headers, std::move(answer.body));
}

BedrockBatchFake::Answer BedrockBatchFake::handle_s3(const RecordedRequest& req) {
  auto xml_error = [](int status, const std::string& code, const std::string& message) {
    return Answer{status,
                  {{"Content-Type", "application/xml"}},
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
                      "</Code><Message>" + message + "</Message></Error>"};
  };
  if (req.header("x-amz-content-sha256").empty()) {
    return xml_error(400, "InvalidRequest",
                     "Missing required header for this request: x-amz-content-sha256");
  }
  const std::vector<std::string> parts = split_path(req.path);
  if (parts.size() < 2) return xml_error(400, "InvalidRequest", "path-style /bucket/key only");
  std::string key;
  for (std::size_t i = 1; i < parts.size(); ++i) key += (i > 1 ? "/" : "") + parts[i];
  std::lock_guard lock(mu_);
  if (req.method == "PUT") {
    buckets_[parts[0]][key] = req.body;
    return {200, {{"ETag", "\"fake-etag\""}}, ""};
  }
  if (req.method == "GET") {
    auto bucket = buckets_.find(parts[0]);
    if (bucket == buckets_.end()) {
      return xml_error(404, "NoSuchBucket", "The specified bucket does not exist");
    }
    auto object = bucket->second.find(key);
    if (object == bucket->second.end()) {
      return xml_error(404, "NoSuchKey", "The specified key does not exist.");
    }
    return {200, {{"Content-Type", "application/octet-stream"}}, object->second};
  }
  return xml_error(405, "MethodNotAllowed", "The specified method is not allowed");
}

BedrockBatchFake::Answer BedrockBatchFake::handle_bedrock(const RecordedRequest& req,
                                                          const std::string& region) {
  const std::vector<std::string> parts = split_path(req.path);
  if (!parts.empty() && parts[0] == "model-invocation-job") {
    if (parts.size() == 1 && req.method == "POST") return create_job(req, region);
    if (parts.size() == 2 && req.method == "GET") return get_job(parts[1]);
    if (parts.size() == 3 && parts[2] == "stop" && req.method == "POST") return stop_job(parts[1]);
  }
  return {404,
          {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", "UnknownOperationException"}},
          json{{"message", "Unknown operation " + req.method + " " + req.path}}.dump()};
}

namespace {

BedrockBatchFake::Answer aws_error_answer(int status, const std::string& type,
                                          const std::string& message) {
  return {status,
          {{"Content-Type", "application/json"},
           {"x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"}},
          json{{"message", message}}.dump()};
}

}  // namespace

BedrockBatchFake::Answer BedrockBatchFake::create_job(const RecordedRequest& req,
                                                      const std::string& region) {
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return aws_error_answer(400, "ValidationException", "Unable to parse the request body");
  }
  auto str = [&](const json& node, const char* key) -> std::string {
    return node.is_object() && node.contains(key) && node[key].is_string()
               ? node[key].get<std::string>()
               : std::string();
  };
  const std::string name = str(body, "jobName");
  const std::string role = str(body, "roleArn");
  const std::string model = str(body, "modelId");
  const json in = body.value("inputDataConfig", json::object()).value("s3InputDataConfig", json());
  const json out =
      body.value("outputDataConfig", json::object()).value("s3OutputDataConfig", json());
  const std::string input_uri = str(in, "s3Uri");
  const std::string output_uri = str(out, "s3Uri");
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"jobName", &name},
                                     {"roleArn", &role},
                                     {"modelId", &model},
                                     {"inputDataConfig.s3InputDataConfig.s3Uri", &input_uri},
                                     {"outputDataConfig.s3OutputDataConfig.s3Uri", &output_uri}}) {
    if (value->empty()) {
      return aws_error_answer(400, "ValidationException",
                              std::string("1 validation error detected: Value null at '") + field +
                                  "' failed to satisfy constraint: Member must not be null");
    }
  }
  if (!parse_s3_uri(input_uri) || !parse_s3_uri(output_uri)) {
    return aws_error_answer(400, "ValidationException", "s3Uri must start with s3://");
  }
  std::lock_guard lock(mu_);
  const std::string token = str(body, "clientRequestToken");
  for (const auto& job : jobs_) {
    if (!token.empty() && job->token == token) return {200, {}, json{{"jobArn", job->arn}}.dump()};
    if (job->name == name) {
      return aws_error_answer(400, "ValidationException",
                              "A job with the name " + name + " already exists");
    }
  }
  auto job = std::make_unique<Job>();
  char id[16];
  std::snprintf(id, sizeof id, "fakejob%05zu", jobs_.size() + 1);
  job->id = id;
  job->arn = "arn:aws:bedrock:" + region + ":" + std::string(kAccount) + ":model-invocation-job/" +
             job->id;
  job->name = name;
  job->token = token;
  job->model_id = model;
  job->role_arn = role;
  job->input_uri = input_uri;
  job->output_uri = output_uri;
  const std::string arn = job->arn;
  jobs_.push_back(std::move(job));
  return {200, {{"Content-Type", "application/json"}}, json{{"jobArn", arn}}.dump()};
}

BedrockBatchFake::Job* BedrockBatchFake::find_job(const std::string& id) {
  for (const auto& job : jobs_) {
    if (job->arn == id || job->id == id) return job.get();
  }
  return nullptr;
}

BedrockBatchFake::Answer BedrockBatchFake::get_job(const std::string& id) {
  std::lock_guard lock(mu_);
  Job* job = find_job(id);
  if (job == nullptr) {
    return aws_error_answer(404, "ResourceNotFoundException", "The specified job was not found");
  }
  advance(*job);
  json body = {{"jobArn", job->arn},
               {"jobName", job->name},
               {"modelId", job->model_id},
               {"roleArn", job->role_arn},
               {"status", job->status},
               {"submitTime", iso_time(job->submit_time)},
               {"lastModifiedTime", iso_time(job->modified_time)},
               {"inputDataConfig",
                {{"s3InputDataConfig", {{"s3InputFormat", "JSONL"}, {"s3Uri", job->input_uri}}}}},
               {"outputDataConfig", {{"s3OutputDataConfig", {{"s3Uri", job->output_uri}}}}}};
  if (!job->token.empty()) body["clientRequestToken"] = job->token;
  if (!job->message.empty()) body["message"] = job->message;
  return {200, {{"Content-Type", "application/json"}}, body.dump()};
}

BedrockBatchFake::Answer BedrockBatchFake::stop_job(const std::string& id) {
  std::lock_guard lock(mu_);
  Job* job = find_job(id);
  if (job == nullptr) {
    return aws_error_answer(404, "ResourceNotFoundException", "The specified job was not found");
  }
  advance(*job);
  ++job->stop_calls;
  const std::string& s = job->status;
  if (s != "Submitted" && s != "Validating" && s != "Scheduled" && s != "InProgress") {
    return aws_error_answer(400, "ValidationException",
                            "Job " + job->arn + " cannot be stopped in status " + s);
  }
  job->stopped_in_progress = s == "InProgress";
  job->enter("Stopping", Clock::now());
  advance(*job);
  return {200, {{"Content-Type", "application/json"}}, "{}"};
}

void BedrockBatchFake::advance(Job& job) {
  const auto now = Clock::now();
  for (;;) {
    const auto due = [&](std::chrono::milliseconds d) { return now - job.entered >= d; };
    const auto next = [&](const std::string& status, std::chrono::milliseconds d) {
      job.enter(status, job.entered + d);
    };
    if (job.status == "Submitted" && due(options_.submitted)) {
      next("Validating", options_.submitted);
    } else if (job.status == "Validating" && due(options_.validating)) {
      const auto where = parse_s3_uri(job.input_uri);
      const std::string* input = nullptr;
      if (auto bucket = buckets_.find(where->first); bucket != buckets_.end()) {
        if (auto object = bucket->second.find(where->second); object != bucket->second.end()) {
          input = &object->second;
        }
      }
      if (input == nullptr) {
        job.message = "Input file " + job.input_uri + " was not found";
        next("Failed", options_.validating);
        continue;
      }
      const BatchInputCheck check = check_batch_input(*input);
      job.records = check.records;
      if (!check.error.empty() || check.records < options_.min_records) {
        job.message =
            !check.error.empty()
                ? "Input validation failed: " + check.error
                : "Input validation failed: the job has " + std::to_string(check.records) +
                      " records, fewer than the minimum " + std::to_string(options_.min_records);
        next("Failed", options_.validating);
        continue;
      }
      job.input_bucket = where->first;
      job.input_key = where->second;
      job.input_text = *input;
      next("Scheduled", options_.validating);
    } else if (job.status == "Scheduled" && !stay_scheduled_ && due(options_.scheduled)) {
      next("InProgress", options_.scheduled);
    } else if (job.status == "InProgress" && due(options_.in_progress)) {
      finish(job, std::numeric_limits<std::size_t>::max());
      next("Completed", options_.in_progress);
    } else if (job.status == "Stopping" && due(options_.stopping)) {
      if (job.stopped_in_progress) finish(job, (job.records + 1) / 2);
      next("Stopped", options_.stopping);
    } else {
      return;
    }
  }
}

void BedrockBatchFake::finish(Job& job, std::size_t limit) {
  const BatchRecordAnswers answers =
      answer_batch_records(job.input_text, job.model_id, fail_record_ids_, limit);
  const auto where = parse_s3_uri(job.output_uri);
  std::string prefix = where->second;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  const std::string dir = (prefix.empty() ? "" : prefix + "/") + job.id + "/";
  const std::string input_name = job.input_key.substr(job.input_key.rfind('/') + 1);
  buckets_[where->first][dir + input_name + ".out"] = answers.output;
  buckets_[where->first][dir + "manifest.json.out"] = answers.manifest.dump();
}

FakeBatchJob BedrockBatchFake::view(const Job& job) const {
  return {job.arn,       job.name,       job.model_id, job.status,     job.message,
          job.input_uri, job.output_uri, job.records,  job.stop_calls, job.history};
}

std::vector<FakeBatchJob> BedrockBatchFake::jobs() {
  std::lock_guard lock(mu_);
  std::vector<FakeBatchJob> out;
  for (const auto& job : jobs_) {
    advance(*job);
    out.push_back(view(*job));
  }
  return out;
}

std::optional<std::string> BedrockBatchFake::object(const std::string& bucket,
                                                    const std::string& key) const {
  std::lock_guard lock(mu_);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return std::nullopt;
  auto o = b->second.find(key);
  if (o == b->second.end()) return std::nullopt;
  return o->second;
}

std::vector<std::string> BedrockBatchFake::object_keys(const std::string& bucket) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  if (auto b = buckets_.find(bucket); b != buckets_.end()) {
    for (const auto& [key, body] : b->second) out.push_back(key);
  }
  return out;
}

std::vector<RecordedRequest> BedrockBatchFake::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void BedrockBatchFake::set_stay_scheduled(bool stay) {
  std::lock_guard lock(mu_);
  stay_scheduled_ = stay;
}

void BedrockBatchFake::set_fail_record_ids(std::set<std::string> ids) {
  std::lock_guard lock(mu_);
  fail_record_ids_ = std::move(ids);
}

}  // namespace osprey::fakes
