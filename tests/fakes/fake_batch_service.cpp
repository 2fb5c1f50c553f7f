#include "fakes/fake_batch_service.h"

#include <ctime>
#include <regex>

namespace osprey::fakes {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

Reply json_reply(int status, const json& body) {
  return {status, {{"Content-Type", "application/json"}}, body.dump()};
}

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The body of part `name` of a multipart/form-data request, nullopt if absent.
std::optional<std::string> form_part(const RecordedRequest& req, std::string_view name) {
  const std::string type = req.header("content-type");
  const auto b = type.find("boundary=");
  if (b == std::string::npos) return std::nullopt;
  std::string boundary = type.substr(b + 9);
  if (!boundary.empty() && boundary.front() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + boundary;
  const std::string& body = req.body;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    std::size_t start = pos + delimiter.size();
    if (body.compare(start, 2, "--") == 0) break;
    start = body.find("\r\n", start);
    if (start == std::string::npos) break;
    start += 2;
    const std::size_t headers_end = body.find("\r\n\r\n", start);
    if (headers_end == std::string::npos) break;
    const std::string headers = body.substr(start, headers_end - start);
    const std::size_t content = headers_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, content);
    if (next == std::string::npos) break;
    if (headers.find("name=\"" + std::string(name) + "\"") != std::string::npos) {
      return body.substr(content, next - content);
    }
    pos = next + 2;
  }
  return std::nullopt;
}

std::string filename_of(const RecordedRequest& req) {
  static const std::regex re("filename=\"([^\"]*)\"");
  std::smatch m;
  if (std::regex_search(req.body, m, re)) return m[1];
  return "input.jsonl";
}

}  // namespace

std::optional<Reply> FakeBatchService::handle(const RecordedRequest& req) {
  const bool openai = personality_.vendor() == Vendor::kOpenAi;
  const bool anthropic = personality_.vendor() == Vendor::kAnthropic;
  if (req.path == "/_fake/batch") return control(req);
  const bool ours =
      (openai && (req.path.starts_with("/v1/files") || req.path.starts_with("/v1/batches"))) ||
      (anthropic && req.path.starts_with("/v1/messages/batches"));
  if (!ours) return std::nullopt;
  if (auto denied = personality_.check_auth(req)) return *denied;
  std::lock_guard lock(mu_);

  if (openai) {
    if (req.method == "POST" && req.path == "/v1/files") return upload_file(req);
    if (req.method == "POST" && req.path == "/v1/batches") return create_openai_batch(req);
    static const std::regex file_re("^/v1/files/([^/]+)(/content)?$");
    static const std::regex batch_re("^/v1/batches/([^/]+)(/cancel)?$");
    std::smatch m;
    if (req.method == "GET" && std::regex_match(req.path, m, file_re)) {
      auto it = files_.find(m[1]);
      if (it == files_.end()) return personality_.error(404, "No such File object: " + m[1].str());
      if (m[2].matched)
        return Reply{200, {{"Content-Type", "application/jsonl"}}, it->second.second};
      return json_reply(200, {{"id", it->first},
                              {"object", "file"},
                              {"bytes", it->second.second.size()},
                              {"filename", it->second.first},
                              {"purpose", "batch"}});
    }
    if (std::regex_match(req.path, m, batch_re)) {
      auto it = batches_.find(m[1]);
      if (it == batches_.end())
        return personality_.error(404, "No batch found with id " + m[1].str());
      Batch& b = it->second;
      if (m[2].matched && req.method == "POST") {
        const std::string status = openai_view(b)["status"];
        if (status != "validating" && status != "in_progress" && status != "finalizing") {
          return personality_.error(400, "Cannot cancel a batch with status '" + status + "'.");
        }
        ++cancels_;
        b.cancelled_at = Clock::now();
        return json_reply(200, openai_view(b));
      }
      if (!m[2].matched && req.method == "GET") return json_reply(200, openai_view(b));
    }
    return personality_.error(404, "Unknown request URL: " + req.method + " " + req.path);
  }

  // Anthropic
  if (req.method == "POST" && req.path == "/v1/messages/batches")
    return create_anthropic_batch(req);
  static const std::regex batch_re("^/v1/messages/batches/([^/]+)(/cancel|/results)?$");
  std::smatch m;
  if (std::regex_match(req.path, m, batch_re)) {
    auto it = batches_.find(m[1]);
    if (it == batches_.end()) return personality_.error(404, "batch " + m[1].str() + " not found");
    Batch& b = it->second;
    const std::string action = m[2].matched ? m[2].str() : "";
    if (action == "/cancel" && req.method == "POST") {
      if (anthropic_view(b)["processing_status"] == "in_progress") {
        ++cancels_;
        b.cancelled_at = Clock::now();
      }
      return json_reply(200, anthropic_view(b));
    }
    if (action == "/results" && req.method == "GET") {
      if (anthropic_view(b)["processing_status"] != "ended") {
        return personality_.error(400, "batch " + b.id + " has not ended yet");
      }
      std::string out;
      for (const Record& r : b.records) out += b.results[r.custom_id] + "\n";
      return Reply{200, {{"Content-Type", "application/binary"}}, out};
    }
    if (action.empty() && req.method == "GET") return json_reply(200, anthropic_view(b));
  }
  return personality_.error(404, "Unknown request URL: " + req.method + " " + req.path);
}

Reply FakeBatchService::control(const RecordedRequest& req) {
  std::lock_guard lock(mu_);
  if (req.method == "POST") {
    json patch = json::parse(req.body, nullptr, false);
    if (!patch.is_object()) return json_reply(400, {{"error", "body must be a JSON object"}});
    BatchKnobs next = patch.value("reset", false) ? BatchKnobs{} : knobs_;
    for (const auto& [key, v] : patch.items()) {
      if (key == "reset") continue;
      if (key == "state_ms" && v.is_number_integer() && v.get<int>() >= 0) {
        next.state_ms = v.get<int>();
      } else if (key == "stuck" && v.is_boolean()) {
        next.stuck = v.get<bool>();
      } else if (key == "fail_ids" && v.is_array()) {
        next.fail_ids.clear();
        for (const auto& id : v) {
          if (!id.is_string()) return json_reply(400, {{"error", "fail_ids: strings only"}});
          next.fail_ids.insert(id.get<std::string>());
        }
      } else {
        return json_reply(400, {{"error", "batch knob '" + key + "': unknown or wrong type"}});
      }
    }
    knobs_ = std::move(next);
  }
  json runs = json::object();
  for (const auto& [id, n] : runs_) runs[id] = n;
  return json_reply(200, {{"state_ms", knobs_.state_ms},
                          {"stuck", knobs_.stuck},
                          {"fail_ids", knobs_.fail_ids},
                          {"created", created_},
                          {"cancels", cancels_},
                          {"runs", runs}});
}

Reply FakeBatchService::upload_file(const RecordedRequest& req) {
  auto purpose = form_part(req, "purpose");
  auto file = form_part(req, "file");
  if (!file) return personality_.error(400, "'file' is a required property");
  if (!purpose || *purpose != "batch") {
    return personality_.error(400, "purpose: this fake accepts only 'batch'");
  }
  const std::string id = "file-" + std::to_string(files_.size() + 1);
  files_[id] = {filename_of(req), *file};
  return json_reply(200, {{"id", id},
                          {"object", "file"},
                          {"bytes", file->size()},
                          {"created_at", std::time(nullptr)},
                          {"filename", filename_of(req)},
                          {"purpose", "batch"},
                          {"status", "processed"}});
}

Reply FakeBatchService::create_openai_batch(const RecordedRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return personality_.error(400, "We could not parse the JSON body");
  const std::string file_id = body.value("input_file_id", "");
  const std::string endpoint = body.value("endpoint", "");
  if (endpoint != "/v1/chat/completions") {
    return personality_.error(400, "endpoint: this fake supports /v1/chat/completions");
  }
  if (body.value("completion_window", "") != "24h") {
    return personality_.error(400, "completion_window: only '24h' is supported");
  }
  auto file = files_.find(file_id);
  if (file == files_.end()) return personality_.error(404, "No such File object: " + file_id);
  Batch b;
  b.id = "batch_" + std::to_string(++created_);
  b.created = Clock::now();
  b.created_unix = std::time(nullptr);
  b.stuck = knobs_.stuck;
  b.state_ms = knobs_.state_ms;
  b.fail_ids = knobs_.fail_ids;
  b.meta = {{"endpoint", endpoint},
            {"input_file_id", file_id},
            {"completion_window", "24h"},
            {"metadata", body.value("metadata", json())}};
  // Validation as documented: every line JSON with a unique custom_id, method POST and the
  // batch's url; otherwise the batch fails with errors naming the line.
  std::set<std::string> seen;
  json errors = json::array();
  std::size_t line_no = 0, pos = 0;
  const std::string& text = file->second.second;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json row = json::parse(line, nullptr, false);
    std::string problem;
    if (!row.is_object()) {
      problem = "invalid JSON";
    } else if (!row.contains("custom_id") || !row["custom_id"].is_string()) {
      problem = "custom_id is required";
    } else if (!seen.insert(row["custom_id"].get<std::string>()).second) {
      problem = "duplicate custom_id " + row["custom_id"].get<std::string>();
    } else if (row.value("method", "") != "POST" || row.value("url", "") != endpoint) {
      problem = "method must be POST and url must be " + endpoint;
    } else if (!row.contains("body") || !row["body"].is_object()) {
      problem = "body is required";
    }
    if (!problem.empty()) {
      errors.push_back({{"code", "invalid_request"}, {"line", line_no}, {"message", problem}});
      continue;
    }
    b.records.push_back({row["custom_id"].get<std::string>(), row["body"]});
  }
  if (!errors.empty() || b.records.empty()) {
    if (errors.empty()) errors.push_back({{"code", "empty_file"}, {"message", "no requests"}});
    b.errors = {{"object", "list"}, {"data", errors}};
  }
  const std::string id = b.id;
  batches_[id] = std::move(b);
  return json_reply(200, openai_view(batches_[id]));
}

json FakeBatchService::openai_view(Batch& b) {
  const std::int64_t s = std::max(1, b.state_ms);
  const std::int64_t age = ms_since(b.created);
  std::string status;
  if (!b.errors.is_null()) {
    status = age < s ? "validating" : "failed";
  } else if (b.cancelled_at) {
    status = ms_since(*b.cancelled_at) < s ? "cancelling" : "cancelled";
  } else if (b.stuck) {
    status = "validating";
  } else if (age < s) {
    status = "validating";
  } else if (age < 2 * s) {
    status = "in_progress";
  } else if (age < 3 * s) {
    status = "finalizing";
  } else {
    status = "completed";
  }
  if (status == "finalizing" || status == "completed") process(b);
  if (status == "cancelled" && b.error_file_id.empty() && !b.processed) {
    // Requests that never ran are reported in the error file.
    std::string errors;
    for (const Record& r : b.records) {
      errors += json({{"id", "batch_req_" + r.custom_id},
                      {"custom_id", r.custom_id},
                      {"response", nullptr},
                      {"error",
                       {{"code", "batch_cancelled"},
                        {"message", "This request was cancelled before it ran."}}}})
                    .dump() +
                "\n";
    }
    b.error_file_id = "file-" + std::to_string(files_.size() + 1);
    files_[b.error_file_id] = {b.id + "_error.jsonl", errors};
  }
  std::int64_t completed = 0, failed = 0;
  if (b.processed && (status == "completed" || status == "finalizing")) {
    for (const Record& r : b.records) (b.fail_ids.count(r.custom_id) > 0 ? failed : completed)++;
  }
  json view = b.meta;
  view["id"] = b.id;
  view["object"] = "batch";
  view["status"] = status;
  view["errors"] = b.errors;
  view["created_at"] = b.created_unix;
  view["output_file_id"] =
      status == "completed" && !b.output_file_id.empty() ? json(b.output_file_id) : json();
  view["error_file_id"] =
      (status == "completed" || status == "cancelled") && !b.error_file_id.empty()
          ? json(b.error_file_id)
          : json();
  view["request_counts"] = {{"total", b.errors.is_null() ? b.records.size() : 0},
                            {"completed", completed},
                            {"failed", failed}};
  return view;
}

Reply FakeBatchService::create_anthropic_batch(const RecordedRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("requests") || !body["requests"].is_array() ||
      body["requests"].empty()) {
    return personality_.error(400, "requests: a non-empty array is required");
  }
  static const std::regex id_re("^[a-zA-Z0-9_-]{1,64}$");
  Batch b;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < body["requests"].size(); ++i) {
    const json& r = body["requests"][i];
    const std::string custom_id = r.value("custom_id", "");
    if (!std::regex_match(custom_id, id_re)) {
      return personality_.error(400, "requests." + std::to_string(i) +
                                         ".custom_id: String should match pattern "
                                         "'^[a-zA-Z0-9_-]{1,64}$'");
    }
    if (!seen.insert(custom_id).second) {
      return personality_.error(400, "requests: duplicate custom_id " + custom_id);
    }
    const json params = r.value("params", json());
    if (!params.is_object() || !params.contains("model") || !params.contains("max_tokens") ||
        !params.contains("messages")) {
      return personality_.error(400, "requests." + std::to_string(i) +
                                         ".params: model, max_tokens and messages are required");
    }
    b.records.push_back({custom_id, params});
  }
  b.id = "msgbatch_" + std::to_string(++created_);
  b.created = Clock::now();
  b.created_unix = std::time(nullptr);
  b.stuck = knobs_.stuck;
  b.state_ms = knobs_.state_ms;
  b.fail_ids = knobs_.fail_ids;
  b.meta = {{"created_at", iso_now()}};
  const std::string id = b.id;
  batches_[id] = std::move(b);
  return json_reply(200, anthropic_view(batches_[id]));
}

json FakeBatchService::anthropic_view(Batch& b) {
  // in_progress (nothing processed for one state_ms, or forever when stuck) → processed →
  // ended one state_ms later. A cancel: canceling for one state_ms, then ended, and what was not
  // processed is "canceled".
  const std::int64_t s = std::max(1, b.state_ms);
  const std::int64_t age = ms_since(b.created);
  std::string status = "in_progress";
  if (b.cancelled_at) {
    status = ms_since(*b.cancelled_at) < s ? "canceling" : "ended";
  } else if (!b.stuck && age >= s) {
    process(b);
    status = age >= 2 * s ? "ended" : "in_progress";
  }
  json counts = {
      {"processing", 0}, {"succeeded", 0}, {"errored", 0}, {"canceled", 0}, {"expired", 0}};
  for (const Record& r : b.records) {
    if (!b.processed) {
      if (status == "ended") {
        counts["canceled"] = counts["canceled"].get<int>() + 1;
        b.results[r.custom_id] =
            json({{"custom_id", r.custom_id}, {"result", {{"type", "canceled"}}}}).dump();
      } else {
        counts["processing"] = counts["processing"].get<int>() + 1;
      }
    } else if (b.fail_ids.count(r.custom_id) > 0) {
      counts["errored"] = counts["errored"].get<int>() + 1;
    } else {
      counts["succeeded"] = counts["succeeded"].get<int>() + 1;
    }
  }
  return {{"id", b.id},
          {"type", "message_batch"},
          {"processing_status", status},
          {"request_counts", counts},
          {"created_at", b.meta["created_at"]},
          {"expires_at", b.meta["created_at"]},
          {"ended_at", status == "ended" ? json(iso_now()) : json()},
          {"cancel_initiated_at", b.cancelled_at ? json(iso_now()) : json()},
          {"archived_at", nullptr},
          {"results_url",
           status == "ended" ? json("/v1/messages/batches/" + b.id + "/results") : json()}};
}

Reply FakeBatchService::answer_record(const Record& r, std::uint64_t seq) {
  RecordedRequest chat;
  chat.method = "POST";
  const bool openai = personality_.vendor() == Vendor::kOpenAi;
  chat.path = openai ? "/v1/chat/completions" : "/v1/messages";
  chat.target = chat.path;
  chat.headers = {{"content-type", "application/json"},
                  {"anthropic-version", "2023-06-01"},
                  {"x-api-key", "batch"}};
  chat.body = r.body.dump();
  std::variant<ParsedChat, Reply> parsed = personality_.parse_chat(chat);
  if (auto* rejected = std::get_if<Reply>(&parsed)) return *rejected;
  return personality_.complete(std::get<ParsedChat>(parsed),
                               plan_answer(std::get<ParsedChat>(parsed).turn), seq);
}

void FakeBatchService::process(Batch& b) {
  if (b.processed) return;
  b.processed = true;
  const bool openai = personality_.vendor() == Vendor::kOpenAi;
  std::string output, errors;
  for (const Record& r : b.records) {
    ++runs_[r.custom_id];
    Reply reply =
        b.fail_ids.count(r.custom_id) > 0
            ? personality_.error(400, "fake upstream: record " + r.custom_id + " failed (fail_ids)")
            : answer_record(r, ++seq_);
    json body = json::parse(reply.body, nullptr, false);
    if (openai) {
      json line = {{"id", "batch_req_" + std::to_string(seq_) + "_" + r.custom_id},
                   {"custom_id", r.custom_id},
                   {"response",
                    {{"status_code", reply.status},
                     {"request_id", "req_" + std::to_string(seq_)},
                     {"body", body}}},
                   {"error", nullptr}};
      (reply.status == 200 ? output : errors) += line.dump() + "\n";
    } else {
      json result = reply.status == 200 ? json{{"type", "succeeded"}, {"message", body}}
                                        : json{{"type", "errored"}, {"error", body}};
      b.results[r.custom_id] = json({{"custom_id", r.custom_id}, {"result", result}}).dump();
    }
  }
  if (openai) {
    b.output_file_id = "file-" + std::to_string(files_.size() + 1);
    files_[b.output_file_id] = {b.id + "_output.jsonl", output};
    if (!errors.empty()) {
      b.error_file_id = "file-" + std::to_string(files_.size() + 1);
      files_[b.error_file_id] = {b.id + "_error.jsonl", errors};
    }
  }
}

}  // namespace osprey::fakes
