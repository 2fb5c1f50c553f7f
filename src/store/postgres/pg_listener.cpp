#include "store/postgres/pg_listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "store/postgres/pg_connection.h"
#include "store/redacted_url.h"

namespace osprey::store {
namespace {

bool is_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<PgListener>> PgListener::open(const std::string& url,
                                                     const std::string& channel) {
  if (!is_identifier(channel)) {
    return make_error(ErrorCode::kInvalidRequest,
                      "channel: must be 1 to 63 characters of [a-z0-9_]");
  }
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kStoreError, "postgres: cannot create an eventfd");
  std::unique_ptr<PgListener> listener(new PgListener(url, channel, fd));  // NOLINT
  if (Status s = listener->connect(); !s) return s.error();
  return listener;
}

PgListener::~PgListener() {
  if (conn_ != nullptr) PQfinish(conn_);
  ::close(wake_fd_);
}

Status PgListener::connect() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = PQconnectdb(url_.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "postgres: listener cannot connect to " + redact_url(url_) + ": " +
                          trimmed_pg_message(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    return make_error(ErrorCode::kStoreError, std::move(message));
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  const std::string sql = "LISTEN " + channel_;  // channel_ is a checked identifier
  PGresult* r = PQexec(conn_, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    std::string message = "postgres: LISTEN failed: " + trimmed_pg_message(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    return make_error(ErrorCode::kStoreError, std::move(message));
  }
  return {};
}

bool PgListener::drain() {
  bool any = false;
  while (PGnotify* n = PQnotifies(conn_)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

Result<bool> PgListener::wait_for_notify(std::chrono::milliseconds timeout) {
  std::lock_guard lock(wait_mutex_);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    if (Status s = connect(); !s) {
      // Still wait out the timeout (or a wake()), so a caller that loops on this call while
      // the server is away does not spin.
      pollfd wake_only{wake_fd_, POLLIN, 0};
      if (::poll(&wake_only, 1, static_cast<int>(timeout.count())) > 0) {
        std::uint64_t value = 0;
        (void)::read(wake_fd_, &value, sizeof value);
      }
      return s.error();
    }
  }
  if (drain()) return true;
  pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  const int ready = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) {
    return make_error(ErrorCode::kStoreError, "postgres: poll on the listener failed");
  }
  if (fds[1].revents & POLLIN) {
    std::uint64_t value = 0;
    (void)::read(wake_fd_, &value, sizeof value);  // resets the eventfd counter
  }
  if (fds[0].revents != 0) {
    if (PQconsumeInput(conn_) == 0) {
      // Reconnected on the next call; report the loss now so the caller polls meanwhile.
      std::string message =
          "postgres: listener connection lost: " + trimmed_pg_message(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      return make_error(ErrorCode::kStoreError, std::move(message));
    }
  }
  return drain();
}

void PgListener::wake() {
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

}  // namespace osprey::store
