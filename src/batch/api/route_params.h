#pragma once
// What the Files and Batches routes share: errors in OpenAI's shape and the `limit` query
// parameter of their list endpoints.
#include "batch/invalid_param.h"
#include "core/result.h"
#include "net/request.h"
#include "net/response.h"

namespace osprey::batch {

net::Response error_response(const Error& e, const net::Request& request);

// ?limit= as an integer in [1, max]; `fallback` when absent or empty.
Result<int> limit_param(const net::Request& request, int fallback, int max);

}  // namespace osprey::batch
