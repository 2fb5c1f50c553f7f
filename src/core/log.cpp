#include "core/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "core/json_plain_run.h"
#include "core/log_line.h"
#include "core/thread_role.h"

namespace osprey::log {
namespace {

constexpr std::string_view kMask = "********";
constexpr std::size_t kMinSecretLength = 4;
// Buffered mode: how long a batched line may wait, and the batch size that is written at once.
constexpr std::chrono::milliseconds kBufferDelay{5};
constexpr std::size_t kBufferLimit = 64 * 1024;

// Settings are written by init() only (documented as not concurrent with logging); the level can
// change at any time, hence atomic.
struct Logger {
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  double debug_sample_rate = 1.0;
  std::string service_json = "\"osprey\"";  // already escaped, with quotes
  std::vector<std::string> scrub;           // secret values as they appear in a finished line
  std::shared_ptr<const PiiRedactor> redactor;
  int file_fd = -1;
  std::mutex write_mu;  // guards the write(2) calls so both outputs see lines in the same order

  // Buffered mode. Lock order: write_mu, then pending_mu (the flusher writes under write_mu, so
  // an immediate line can never overtake batched lines that are being written).
  std::mutex pending_mu;  // guards pending, stopping
  std::string pending;    // batched lines not yet written
  bool stopping = false;
  std::condition_variable wake;  // a first line entered an empty batch, or stopping
  std::thread flusher;           // started and joined by init() and the destructor only
  std::atomic<bool> buffering{false};

  ~Logger() { stop_flusher(); }
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
// calling thread's thread_locals are gone: hence a plain local.
void drain_pending(Logger& l) {
  std::string batch;
  {
    std::lock_guard lock(l.pending_mu);
    batch.swap(l.pending);
  }
  write_outputs(l, batch);
}

void flusher_loop(Logger& l) {
  std::unique_lock lock(l.pending_mu);
  while (!l.stopping) {
    l.wake.wait(lock, [&] { return l.stopping || !l.pending.empty(); });
    // Let the batch fill for a moment: one write(2) for many lines.
    l.wake.wait_for(lock, kBufferDelay, [&] { return l.stopping; });
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

template <class T>
void append_integer(std::string& line, T value) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  line.append(buf, ptr);
}

// Personal data never reaches a sink: free text passes the redactor before it is escaped.
void append_text(std::string& line, std::string_view text, const PiiRedactor* redactor) {
  thread_local std::string redacted;
  if (redactor != nullptr && redactor->redact(text, redacted)) text = redacted;
  append_json_string(line, text);
}

// `,"key":`. Keys are ours and plain in practice: then one append instead of four.
void append_key(std::string& line, std::string_view key) {
  char buf[64];
  if (key.size() <= sizeof buf - 4 && json_plain_run_end(key, 0) == key.size()) {
    buf[0] = ',';
    buf[1] = '"';
    std::memcpy(buf + 2, key.data(), key.size());
    buf[key.size() + 2] = '"';
    buf[key.size() + 3] = ':';
    line.append(buf, key.size() + 4);
    return;
  }
  line += ',';
  append_json_string(line, key);
  line += ':';
}

void append_field(std::string& line, std::string_view key, const Field& f,
                  const PiiRedactor* redactor) {
  append_key(line, key);
  switch (f.kind()) {
    case Field::Kind::kString:
      append_text(line, f.str(), redactor);
      break;
    case Field::Kind::kVerbatim:
      append_json_string(line, f.str());
      break;
    case Field::Kind::kInt:
      append_integer(line, f.int_value());
      break;
    case Field::Kind::kUint:
      append_integer(line, f.uint_value());
      break;
    case Field::Kind::kDouble:
      append_json_double(line, f.double_value());
      break;
    case Field::Kind::kBool:
      line += f.bool_value() ? "true" : "false";
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
  l.service_json.clear();
  append_json_string(l.service_json, options.service);
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

void write(LogLevel level, std::string_view msg, Fields fields) {
  Logger& l = logger();
  if (!enabled(level)) return;
  if (level == LogLevel::kDebug && !keep_sampled_debug(l.debug_sample_rate)) return;

  thread_local std::string line;
  line.clear();
  line += "{\"ts\":\"";
  append_timestamp(line, std::chrono::system_clock::now());
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"service\":";
  line += l.service_json;
  line += ",\"msg\":";
  append_text(line, msg, l.redactor.get());
  for (const auto& [key, value] : fields) append_field(line, key, value, l.redactor.get());
  line += "}\n";
  scrub_secrets(line, l.scrub);

  bool immediate = level >= LogLevel::kWarn || !l.buffering.load(std::memory_order_relaxed);
  if (!immediate) {
    bool first = false;
    {
      std::lock_guard lock(l.pending_mu);
      first = l.pending.empty();
      l.pending += line;
      immediate = l.pending.size() >= kBufferLimit;
    }
    if (first && !immediate) l.wake.notify_one();
    if (immediate) line.clear();  // already in the batch, which is written below
  }
  if (immediate) {
    std::lock_guard lock(l.write_mu);
    drain_pending(l);  // batched lines first, so lines keep their order
    write_outputs(l, line);
  }
  if (line.capacity() > (1u << 16)) std::string().swap(line);  // don't pin a huge buffer
}

void flush() {
  Logger& l = logger();
  std::lock_guard lock(l.write_mu);
  drain_pending(l);
  if (l.file_fd >= 0) ::fsync(l.file_fd);
}

}  // namespace osprey::log
