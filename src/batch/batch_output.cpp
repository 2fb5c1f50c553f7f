#include "batch/batch_output.h"

#include "core/error.h"

namespace osprey::batch {

std::string batch_id(std::int64_t job_id) { return "batch_" + std::to_string(job_id); }
std::string batch_request_id(std::int64_t item_id) {
  return "batch_req_" + std::to_string(item_id);
}
std::string output_file_id(std::int64_t job_id) {
  return "file-batch" + std::to_string(job_id) + "-output";
}
std::string error_file_id(std::int64_t job_id) {
  return "file-batch" + std::to_string(job_id) + "-errors";
}

nlohmann::json success_line(std::int64_t item_id, const std::string& custom_id,
                            const std::string& request_id, nlohmann::json body) {
  return {
      {"id", batch_request_id(item_id)},
      {"custom_id", custom_id},
      {"response", {{"status_code", 200}, {"request_id", request_id}, {"body", std::move(body)}}},
      {"error", nullptr}};
}

nlohmann::json error_line(const store::JobItem& item) {
  nlohmann::json line = {{"id", batch_request_id(item.id)},
                         {"custom_id", item.key},
                         {"response", nullptr},
                         {"error", nullptr}};
  if (item.state == store::ItemState::kCancelled) {
    line["error"] = {{"code", "batch_cancelled"},
                     {"message", "the batch was cancelled before this request ran"}};
    return line;
  }
  ErrorCode code = ErrorCode::kInternal;
  if (!parse_error_code(item.last_error_code, &code)) {
    // Not an HTTP-level failure (lease_expired, workload_exception, ...).
    line["error"] = {{"code", item.last_error_code}, {"message", item.last_error}};
    return line;
  }
  const ErrorInfo& info = error_info(code);
  line["response"] = {{"status_code", info.http_status},
                      {"request_id", ""},
                      {"body",
                       {{"error",
                         {{"message", item.last_error},
                          {"type", std::string(info.openai_type)},
                          {"param", nullptr},
                          {"code", std::string(info.name)}}}}}};
  return line;
}

}  // namespace osprey::batch
