#pragma once
// A tiny blocking HTTP/1.1 client over POSIX sockets for integration tests: it can send
// arbitrary (even malformed) bytes and read responses, keep-alive or not.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace osprey::testing {

struct HttpResponse {
  int status = 0;                              // 0 when no response could be read
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;

  // Connects to 127.0.0.1:port; false if refused.
  bool connect(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_raw(const std::string& bytes);
  // Sends a request with Content-Length and Host headers added.
  bool send_request(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Reads one response (Content-Length, chunked, or until close). status 0 on failure/timeout.
  HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // True if the peer closed the connection (reads EOF) within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  // True once the bytes received so far (unparsed) contain `text`, read for at most `timeout`.
  bool wait_for_text(const std::string& text, std::chrono::milliseconds timeout);
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// One request on a fresh connection.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = "",
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// True if a TCP connection to 127.0.0.1:port is accepted.
bool can_connect(std::uint16_t port);

// The `error.code` of an OpenAI-shaped error body, or "(no error body: <body>)".
std::string error_code(const HttpResponse& r);
// The payloads of a Server-Sent Events body's `data: ` lines, in order.
std::vector<std::string> sse_data(const std::string& body);

}  // namespace osprey::testing
