#pragma once
// UpstreamResult<T>: a value, or an UpstreamError that keeps what the router needs to decide on
// retries (retryable, Retry-After, upstream status). The return type of every provider call.
#include "core/result.h"
#include "providers/upstream_error.h"

namespace osprey::providers {

template <typename T>
using UpstreamResult = Result<T, UpstreamError>;

}  // namespace osprey::providers
