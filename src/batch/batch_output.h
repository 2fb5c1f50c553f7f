#pragma once
// The output of a batch in OpenAI's shapes. One line per request:
//   {"id": "batch_req_<item>", "custom_id": ..., "response": {"status_code", "request_id",
//    "body"}, "error": null}
// Answered requests go to the output file; failed ones to the error file, with the error as
// the response body OpenAI would have sent ({"error": {message, type, param, code}}) and the
// HTTP status of its code, or, for failures that never got an HTTP answer (cancelled, lease
// expired), "response": null and "error": {"code", "message"}. Pure functions, thread-safe.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "store/job_records.h"

namespace osprey::batch {

std::string batch_id(std::int64_t job_id);           // "batch_<job id>"
std::string batch_request_id(std::int64_t item_id);  // "batch_req_<item id>"
std::string output_file_id(std::int64_t job_id);     // "file-batch<job id>-output"
std::string error_file_id(std::int64_t job_id);      // "file-batch<job id>-errors"

// An answered request: `body` is the chat completion as /v1/chat/completions returns it.
nlohmann::json success_line(std::int64_t item_id, const std::string& custom_id,
                            const std::string& request_id, nlohmann::json body);
// A dead or cancelled item of a finished job.
nlohmann::json error_line(const store::JobItem& item);

}  // namespace osprey::batch
