#include "core/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "core/log_line.h"
#include "core/thread_role.h"

namespace osprey::log {
namespace {

constexpr std::string_view kMask = "********";
constexpr std::size_t kMinSecretLength = 4;
// Buffered mode: how long a batched line may wait, and the batch size that is written at once.
constexpr std::chrono::milliseconds kBufferDelay{5};
constexpr std::size_t kBufferLimit = 64 * 1024;
// A thread's line buffer is reused up to this capacity (LineWriter opens it up to its capacity
// for every line); a longer line leaves an ordinary allocation behind.
constexpr std::size_t kLineCapacityKept = 8 * 1024;

// What follows the timestamp in every line of `level`: `","level":"info","service":...,"msg":`.
std::string line_header(LogLevel level, std::string_view service) {
  std::string header = "\",\"level\":\"";
  header += level_name(level);
  header += "\",\"service\":";
  append_json_string(header, service);
  header += ",\"msg\":";
  return header;
}

// Settings are written by init() only (documented as not concurrent with logging); the level can
// change at any time, hence atomic.
struct Logger {
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  double debug_sample_rate = 1.0;
  std::string headers[4];          // line_header() of each level, indexed by LogLevel
  std::vector<std::string> scrub;  // secret values as they appear in a finished line
  std::shared_ptr<const PiiRedactor> redactor;
  int file_fd = -1;
  std::mutex write_mu;  // guards the write(2) calls so both outputs see lines in the same order

  // Buffered mode. Lock order: write_mu, then pending_mu (the flusher writes under write_mu, so
  // an immediate line can never overtake batched lines that are being written).
  std::mutex pending_mu;  // guards pending, stopping, flusher_idle
  std::string pending;    // batched lines not yet written
  std::string draining;   // the batch being written (under write_mu); its capacity is reused
  bool stopping = false;
  bool flusher_idle = false;     // the flusher sleeps until a line comes (no timed wait)
  std::condition_variable wake;  // a first line reached an idle flusher, or stopping
  std::thread flusher;           // started and joined by init() and the destructor only
  std::atomic<bool> buffering{false};

  Logger() { set_service("osprey"); }
  ~Logger() { stop_flusher(); }
  void set_service(std::string_view service) {
    for (LogLevel each : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
      headers[static_cast<int>(each)] = line_header(each, service);
    }
  }
  void stop_flusher();
};

Logger& logger() {
  static Logger instance;
  return instance;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing log sink
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_outputs(Logger& l, std::string_view data) {  // REQUIRES: write_mu held
  if (data.empty()) return;
  write_all(STDERR_FILENO, data);
  if (l.file_fd >= 0) write_all(l.file_fd, data);
}

// Writes the batch so far. REQUIRES: write_mu held. Also runs from ~Logger at exit, after the
// calling thread's thread_locals are gone: hence a member, not a thread_local. The two buffers
// trade places, so the next batch starts with the capacity of an earlier one.
void drain_pending(Logger& l) {
  {
    std::lock_guard lock(l.pending_mu);
    l.draining.swap(l.pending);
  }
  write_outputs(l, l.draining);
  l.draining.clear();
  if (l.draining.capacity() > 2 * kBufferLimit) std::string().swap(l.draining);
}

// Under load the flusher wakes once per kBufferDelay on its own timer and nobody signals it; only
// after a quiet interval does it sleep until a line comes. So an idle server has no wake-ups, and
// a busy one no futex wake per batch (the first line of a batch used to wake it, then the timer).
void flusher_loop(Logger& l) {
  std::unique_lock lock(l.pending_mu);
  while (!l.stopping) {
    // Let the batch fill for a moment: one write(2) for many lines.
    l.wake.wait_for(lock, kBufferDelay, [&] { return l.stopping; });
    if (l.pending.empty() && !l.stopping) {
      l.flusher_idle = true;
      l.wake.wait(lock, [&] { return l.stopping || !l.pending.empty(); });
      l.flusher_idle = false;
      continue;  // the first line's batch gets its kBufferDelay too
    }
    lock.unlock();
    {
      std::lock_guard write_lock(l.write_mu);
      drain_pending(l);
    }
    lock.lock();
  }
}

bool keep_sampled_debug(double rate) {
  if (rate >= 1.0) return true;
  if (rate <= 0.0) return false;
  thread_local std::minstd_rand rng(static_cast<std::uint_fast32_t>(
      std::random_device{}() ^ std::hash<std::thread::id>{}(std::this_thread::get_id())));
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < rate;
}

// Personal data never reaches a sink: free text passes the redactor before it is escaped.
void append_text(LineWriter& line, std::string_view text, const PiiRedactor* redactor) {
  thread_local std::string redacted;
  if (redactor != nullptr && redactor->redact(text, redacted)) text = redacted;
  line.json_string(text);
}

void append_value(LineWriter& line, const Field& f, const PiiRedactor* redactor) {
  switch (f.kind()) {
    case Field::Kind::kString:
      append_text(line, f.str(), redactor);
      break;
    case Field::Kind::kVerbatim:
      line.json_string(f.str());
      break;
    case Field::Kind::kInt:
      line.integer(f.int_value());
      break;
    case Field::Kind::kUint:
      line.integer(f.uint_value());
      break;
    case Field::Kind::kDouble:
      line.json_double(f.double_value());
      break;
    case Field::Kind::kBool:
      line.append(f.bool_value() ? std::string_view("true") : std::string_view("false"));
      break;
  }
}

void scrub_secrets(std::string& line, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    for (auto pos = line.find(secret); pos != std::string::npos;
         pos = line.find(secret, pos + kMask.size())) {
      line.replace(pos, secret.size(), kMask);
    }
  }
}

}  // namespace

void Logger::stop_flusher() {
  if (!flusher.joinable()) return;
  buffering.store(false);
  {
    std::lock_guard lock(pending_mu);
    stopping = true;
  }
  wake.notify_all();
  flusher.join();
  std::lock_guard write_lock(write_mu);
  drain_pending(*this);
  stopping = false;
}

Status init(const Options& options) {
  Logger& l = logger();
  int fd = -1;
  if (!options.file.empty()) {
    fd = ::open(options.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
      return make_error(ErrorCode::kConfigInvalid,
                        "log.file: cannot open '" + options.file + "': " + std::strerror(errno));
    }
  }
  l.stop_flusher();  // lines batched under the old settings go to the old outputs
  std::lock_guard lock(l.write_mu);
  if (l.file_fd >= 0) ::close(l.file_fd);
  l.file_fd = fd;
  l.level.store(static_cast<int>(options.level), std::memory_order_relaxed);
  l.debug_sample_rate = options.debug_sample_rate;
  l.set_service(options.service);
  l.redactor = options.redactor;
  l.scrub.clear();
  for (const auto& secret : options.secrets) {
    if (secret.size() < kMinSecretLength) continue;
    l.scrub.push_back(secret);
    std::string escaped;
    append_json_string(escaped, secret);
    escaped = escaped.substr(1, escaped.size() - 2);
    if (escaped != secret) l.scrub.push_back(std::move(escaped));
  }
  if (options.buffered) {
    l.flusher = std::thread([&l] {
      set_current_thread_role("osprey-log", ThreadPriority::kBackground);
      flusher_loop(l);
    });
    l.buffering.store(true);
  }
  return {};
}

void set_level(LogLevel level) {
  logger().level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel level() { return static_cast<LogLevel>(logger().level.load(std::memory_order_relaxed)); }

bool enabled(LogLevel level) {
  return static_cast<int>(level) >= logger().level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == level_name(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

namespace {

// Scrubs a finished line of secrets, then writes it or adds it to the batch.
void emit(Logger& l, LogLevel level, std::string& line) {
  scrub_secrets(line, l.scrub);

  bool immediate = level >= LogLevel::kWarn || !l.buffering.load(std::memory_order_relaxed);
  if (!immediate) {
    bool wake_flusher = false;
    {
      std::lock_guard lock(l.pending_mu);
      wake_flusher = l.pending.empty() && l.flusher_idle;
      l.pending += line;
      immediate = l.pending.size() >= kBufferLimit;
    }
    if (wake_flusher && !immediate) l.wake.notify_one();
    if (immediate) line.clear();  // already in the batch, which is written below
  }
  if (immediate) {
    std::lock_guard lock(l.write_mu);
    drain_pending(l);  // batched lines first, so lines keep their order
    write_outputs(l, line);
  }
}

// Writes one line: the standard fields and `msg`, then what append_fields(writer, redactor)
// adds.
template <class AppendFields>
void write_line(LogLevel level, std::string_view msg, AppendFields append_fields) {
  Logger& l = logger();
  if (!enabled(level)) return;
  if (level == LogLevel::kDebug && !keep_sampled_debug(l.debug_sample_rate)) return;

  thread_local std::string line;  // one per kind of field list; reused from line to line
  line.clear();
  {
    LineWriter writer(line);
    writer.append("{\"ts\":\"");
    writer.timestamp(std::chrono::system_clock::now());
    writer.append(l.headers[static_cast<int>(level)]);
    append_text(writer, msg, l.redactor.get());
    append_fields(writer, l.redactor.get());
    writer.append("}\n");
    writer.finish();
  }
  emit(l, level, line);
  if (line.capacity() > kLineCapacityKept) std::string().swap(line);
}

}  // namespace

void write(LogLevel level, std::string_view msg, Fields fields) {
  write_line(level, msg, [fields](LineWriter& line, const PiiRedactor* redactor) {
    for (const auto& [key, value] : fields) {
      line.key(key);
      append_value(line, value, redactor);
    }
  });
}

Keys::Keys(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    std::string& encoded = encoded_.emplace_back(",");
    append_json_string(encoded, key);
    encoded += ':';
  }
}

void write(LogLevel level, std::string_view msg, const Keys& keys,
           std::initializer_list<Field> values) {
  write_line(level, msg, [&keys, values](LineWriter& line, const PiiRedactor* redactor) {
    const std::size_t n = std::min(keys.size(), values.size());
    for (std::size_t i = 0; i < n; ++i) {
      line.append(keys.encoded(i));
      append_value(line, values.begin()[i], redactor);
    }
  });
}

void flush() {
  Logger& l = logger();
  std::lock_guard lock(l.write_mu);
  drain_pending(l);
  if (l.file_fd >= 0) ::fsync(l.file_fd);
}

}  // namespace osprey::log
