#include "jobs/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace osprey::jobs {
namespace {

// Closes a file descriptor once.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

Error spawn_error(const std::string& what, int err) {
  return make_error(ErrorCode::kInternal, what + ": " + std::strerror(err));
}

// Writes to the child's stdin with SIGPIPE blocked for this thread: a child that exits without
// reading its input must give EPIPE here, not kill the whole server with the signal.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_only;
  sigset_t old_mask;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  const ssize_t written = ::write(fd, data, size);
  const int saved_errno = errno;
  if (written < 0 && saved_errno == EPIPE) {
    const timespec no_wait{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &no_wait) > 0) {
    }  // consume the SIGPIPE this write queued for the thread
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved_errno;
  return written;
}

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.fd = fds[0];
  write_end.fd = fds[1];
  return true;
}

void append_tail(std::string& out, const char* data, std::size_t n, std::size_t max) {
  out.append(data, n);
  if (out.size() > max) out.erase(0, out.size() - max);
}

}  // namespace

Result<SubprocessResult> run_subprocess(const SubprocessOptions& options) {
  if (options.argv.empty()) return make_error(ErrorCode::kInternal, "no executable given");
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)) {
    return spawn_error("pipe", errno);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: the timeout kills the whole tree
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);

  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) envp.push_back(*e);
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return spawn_error("cannot start " + options.argv[0], rc);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);

  SubprocessResult result;
  const auto deadline = start + options.timeout;
  std::size_t written = 0;
  if (options.stdin_data.empty()) in_w.reset();
  bool killed = false;
  auto kill_group = [&] {
    if (!killed) ::kill(-pid, SIGKILL);
    killed = true;
  };
  std::array<char, 65536> buf;
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      result.timed_out = true;
      kill_group();
    }
    if (!killed && options.stop != nullptr && options.stop->load()) {
      result.stopped = true;
      kill_group();
    }
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    const int wait_ms =
        killed ? 100 : static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 100));
    if (::poll(fds.data(), n, wait_ms) < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_w.fd) {
        const ssize_t w = write_without_sigpipe(in_w.fd, options.stdin_data.data() + written,
                                                options.stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) in_w.reset();  // child closed stdin
        if (written == options.stdin_data.size()) in_w.reset();
        continue;
      }
      Fd& src = fds[i].fd == out_r.fd ? out_r : err_r;
      const ssize_t r = ::read(src.fd, buf.data(), buf.size());
      if (r <= 0) {
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) src.reset();
        continue;
      }
      if (&src == &out_r) {
        result.stdout_data.append(buf.data(), static_cast<std::size_t>(r));
        if (result.stdout_data.size() > options.max_stdout_bytes) {
          result.stdout_overflow = true;
          result.stdout_data.resize(options.max_stdout_bytes);
          kill_group();
          out_r.reset();
        }
      } else {
        append_tail(result.stderr_tail, buf.data(), static_cast<std::size_t>(r),
                    options.max_stderr_bytes);
      }
    }
    // A killed child whose grandchildren still hold the pipes open: stop reading after a grace.
    if (killed && std::chrono::steady_clock::now() > deadline + std::chrono::seconds(5)) break;
  }
  in_w.reset();
  // Wait for the leader to exit (still enforcing the deadline), then end whatever is left of
  // its group while the unreaped leader still pins the group id, and only then reap it.
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      break;
    }
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      kill_group();
    }
    ::usleep(2000);
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return result;
}

}  // namespace osprey::jobs
