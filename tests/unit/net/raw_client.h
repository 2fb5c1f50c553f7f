#pragma once
// RawClient: a deliberately tiny blocking HTTP/1.1 client over POSIX sockets, so server tests
// can send exactly the bytes they want (malformed, slow, oversized) and see exactly what comes
// back. Test-only; one thread per client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace osprey::net::testing {

// The bytes of a GET for `path`; `extra` is more header lines, each ending in "\r\n".
inline std::string get_request(std::string_view path, std::string_view extra = {}) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; `connect_errno()` is 0 on success.
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};  // a hung server fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) errno_ = errno;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  int connect_errno() const { return errno_; }

  // The client's own port (0 if unknown).
  std::uint16_t local_port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    return ntohs(addr.sin_port);
  }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response (Content-Length or chunked body). nullopt on EOF, reset or timeout.
  std::optional<RawResponse> read_response(bool head_request = false) {
    auto head = read_until("\r\n\r\n");
    if (!head) return std::nullopt;
    RawResponse r = parse_head(*head);
    if (head_request) return r;
    if (r.header("transfer-encoding") == "chunked") {
      while (true) {
        auto size_line = read_until("\r\n");
        if (!size_line) return std::nullopt;
        const std::size_t size = std::stoul(*size_line, nullptr, 16);
        auto chunk = read_exact(size + 2);
        if (!chunk) return std::nullopt;
        if (size == 0) break;
        r.body += chunk->substr(0, size);
      }
      return r;
    }
    const std::string length = r.header("content-length");
    if (length.empty()) return r;
    auto body = read_exact(std::stoul(length));
    if (!body) return std::nullopt;
    r.body = *body;
    return r;
  }

  // Reads the status line and headers only (e.g. of an SSE stream).
  std::optional<RawResponse> read_head() {
    auto head = read_until("\r\n\r\n");
    if (!head) return std::nullopt;
    return parse_head(*head);
  }

  // Reads raw bytes until `marker` has been seen; returns everything up to and including it.
  std::optional<std::string> read_until(std::string_view marker) {
    while (true) {
      const std::size_t at = pending_.find(marker);
      if (at != std::string::npos) {
        std::string out = pending_.substr(0, at + marker.size());
        pending_.erase(0, at + marker.size());
        return out;
      }
      if (!fill()) return std::nullopt;
    }
  }

  // True once the server has closed the connection (EOF).
  bool at_eof() {
    while (pending_.empty()) {
      char c;
      const ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return true;
      if (n < 0) return false;
      pending_.push_back(c);
    }
    return false;
  }

 private:
  bool fill() {
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  std::optional<std::string> read_exact(std::size_t n) {
    while (pending_.size() < n) {
      if (!fill()) return std::nullopt;
    }
    std::string out = pending_.substr(0, n);
    pending_.erase(0, n);
    return out;
  }

  static RawResponse parse_head(const std::string& head) {
    RawResponse r;
    const std::size_t sp = head.find(' ');
    if (sp != std::string::npos) r.status = std::atoi(head.c_str() + sp + 1);
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      const std::size_t end = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, end - pos - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        r.headers[name] = line.substr(v);
      }
      pos = end;
    }
    return r;
  }

  int fd_ = -1;
  int errno_ = 0;
  std::string pending_;
};

}  // namespace osprey::net::testing
