#pragma once
// UpstreamResult<T>: a value, or an UpstreamError that keeps what the router needs to decide on
// retries (retryable, Retry-After, upstream status). The return type of every provider call.
#include <cassert>
#include <utility>
#include <variant>

#include "providers/upstream_error.h"

namespace osprey::providers {

template <typename T>
class [[nodiscard]] UpstreamResult {
 public:
  UpstreamResult(T value) : v_(std::move(value)) {}              // NOLINT
  UpstreamResult(UpstreamError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const UpstreamError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, UpstreamError> v_;
};

}  // namespace osprey::providers
