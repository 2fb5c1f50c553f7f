#pragma once
// WireClient: a blocking HTTP/1.1 client (Boost.Beast) for tests of the fake upstreams. It
// returns whatever arrived, including a body cut short by a reset, so tests can see truncation.
// Independent of osprey_net on purpose. Not thread-safe; one per test.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace osprey::fakes::testing {

struct WireResult {
  int status = 0;                              // 0: no response at all
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked; partial if !complete
  bool complete = false;                       // the whole message arrived
  std::string error;                           // why not complete
  std::string header(const std::string& lower_name) const;
};

WireResult wire_call(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     const std::string& body = {});

// Sends a request, waits `hold_ms`, then closes the connection without reading the answer.
void send_and_disconnect(std::uint16_t port, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, int hold_ms);

// Splits an SSE body into (event, data) pairs; event is empty when absent.
std::vector<std::pair<std::string, std::string>> parse_sse(const std::string& body);

}  // namespace osprey::fakes::testing
