#pragma once
// Result<T>: a value or an Error. The return type of every fallible call at a module boundary;
// exceptions never cross one. The error type is a parameter so that a module whose callers need
// more than {code, message} (e.g. providers' UpstreamError with Retry-After) reuses this class.
#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/error.h"

namespace osprey {

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

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
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  ErrorCode code() const { return error().code; }

  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, E> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }
  ErrorCode code() const { return error().code; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// The errors most modules build: a request (or spec) that is wrong, one of its fields that is,
// and a config key with a bad value ("config: <key>: <message>").
inline Error invalid_request(std::string message) {
  return make_error(ErrorCode::kInvalidRequest, std::move(message));
}
inline Error invalid_field(std::string_view field, std::string_view why) {
  return make_error(ErrorCode::kInvalidRequest, std::string(field) + ": " + std::string(why));
}
inline Error config_error(std::string_view key, std::string_view message) {
  return make_error(ErrorCode::kConfigInvalid,
                    "config: " + std::string(key) + ": " + std::string(message));
}

}  // namespace osprey
