#pragma once
// The process-wide structured logger: one JSON object per line to stderr and, optionally, a file.
// Thread-safe: lines from concurrent threads never interleave and keep their order.
// With Options::buffered, DEBUG/INFO lines are batched by a background thread and written at
// most kBufferDelay later (one write(2) per batch instead of per line); WARN and ERROR lines
// drain the batch and are written at once, so they are never delayed.
// Before init() it logs INFO and above to stderr. init() is called once by main before other
// threads log (tests may call it again, but never concurrently with logging).
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/pii_redactor.h"
#include "core/result.h"

namespace osprey::log {

struct Options {
  LogLevel level = LogLevel::kInfo;
  std::string file;                // also append to this file when non-empty
  double debug_sample_rate = 1.0;  // fraction of DEBUG lines kept, chosen at random
  std::string service = "osprey";
  std::vector<std::string> secrets;  // values (length >= 4) replaced by "********" in every line
  bool buffered = false;             // batch DEBUG/INFO lines (see above); flush() drains them
  // When set, the message and every string field value pass through it before they are written
  // (keys, numbers, the timestamp and the level are ours and never carry personal data).
  std::shared_ptr<const PiiRedactor> redactor;
};

// Opens the file (if any) and installs the options. Fails if the file cannot be opened, in which
// case the previous settings stay.
Status init(const Options& options);
void set_level(LogLevel level);
LogLevel level();
// Cheap check to skip building fields for a level that is filtered out.
bool enabled(LogLevel level);

// "debug" | "info" | "warn" | "error"; false for anything else.
bool parse_level(std::string_view text, LogLevel* out);
std::string_view level_name(LogLevel level);

// One field value. Holds a view of string arguments: build Fields in the call to write().
class Field {
 public:
  // kVerbatim: a string the server produced itself, never one the client chose (a route pattern,
  // an error code, the peer's address): escaped, but not passed through the PII redactor.
  enum class Kind : std::uint8_t { kString, kVerbatim, kInt, kUint, kDouble, kBool };

  Field(std::string_view v) : kind_(Kind::kString), str_(v) {}                 // NOLINT
  Field(const char* v) : kind_(Kind::kString), str_(v == nullptr ? "" : v) {}  // NOLINT
  Field(const std::string& v) : kind_(Kind::kString), str_(v) {}               // NOLINT
  Field(bool v) : kind_(Kind::kBool), b_(v) {}                                 // NOLINT
  static Field verbatim(std::string_view v) {
    Field f(v);
    f.kind_ = Kind::kVerbatim;
    return f;
  }
  Field(double v) : kind_(Kind::kDouble), d_(v) {}  // NOLINT
  Field(float v) : kind_(Kind::kDouble), d_(v) {}   // NOLINT
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Field(T v) {  // NOLINT
    if constexpr (std::is_signed_v<T>) {
      kind_ = Kind::kInt;
      i_ = static_cast<std::int64_t>(v);
    } else {
      kind_ = Kind::kUint;
      u_ = static_cast<std::uint64_t>(v);
    }
  }

  Kind kind() const { return kind_; }
  std::string_view str() const { return str_; }
  std::int64_t int_value() const { return i_; }
  std::uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  bool bool_value() const { return b_; }

 private:
  Kind kind_ = Kind::kInt;
  std::string_view str_;
  union {
    std::int64_t i_ = 0;
    std::uint64_t u_;
    double d_;
    bool b_;
  };
};

using Fields = std::initializer_list<std::pair<std::string_view, Field>>;

void write(LogLevel level, std::string_view msg, Fields fields = {});

// Field keys escaped once, for a line written many times with the same keys (the access log):
// write() then copies each key instead of escaping it again. Immutable; thread-safe.
class Keys {
 public:
  Keys(std::initializer_list<std::string_view> keys);
  std::size_t size() const { return encoded_.size(); }
  std::string_view encoded(std::size_t i) const { return encoded_[i]; }  // `,"key":`

 private:
  std::vector<std::string> encoded_;
};

// The same line as write(level, msg, {{key 0, value 0}, {key 1, value 1}, ...}). Expects as many
// values as keys; extra keys or values are left out.
void write(LogLevel level, std::string_view msg, const Keys& keys,
           std::initializer_list<Field> values);
inline void debug(std::string_view msg, Fields fields = {}) {
  if (enabled(LogLevel::kDebug)) write(LogLevel::kDebug, msg, fields);
}
inline void info(std::string_view msg, Fields fields = {}) { write(LogLevel::kInfo, msg, fields); }
inline void warn(std::string_view msg, Fields fields = {}) { write(LogLevel::kWarn, msg, fields); }
inline void error(std::string_view msg, Fields fields = {}) {
  write(LogLevel::kError, msg, fields);
}

// Writes any batched lines, then fsyncs the log file. Called at shutdown.
void flush();

}  // namespace osprey::log
