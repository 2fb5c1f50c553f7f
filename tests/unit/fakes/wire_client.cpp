#include "unit/fakes/wire_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <thread>

namespace osprey::fakes::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

http::request<http::string_body> make_request(
    std::uint16_t port, const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST") req.prepare_payload();
  req.keep_alive(false);
  return req;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string WireResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

WireResult wire_call(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body) {
  WireResult out;
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    out.error = "connect: " + ec.message();
    return out;
  }
  auto req = make_request(port, method, target, headers, body);
  http::write(socket, req, ec);
  if (ec) {
    out.error = "write: " + ec.message();
    return out;
  }
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read_header(socket, buffer, parser, ec);
  if (ec) {
    out.error = "read header: " + ec.message();
    return out;
  }
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    out.headers[lower(std::string(f.name_string()))] = std::string(f.value());
  }
  http::read(socket, buffer, parser, ec);
  out.body = parser.get().body();
  out.complete = !ec && parser.is_done();
  if (!out.complete) out.error = "read body: " + ec.message();
  return out;
}

void send_and_disconnect(std::uint16_t port, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, int hold_ms) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  auto req = make_request(port, "POST", target, headers, body);
  http::write(socket, req, ec);
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
  socket.close(ec);
}

std::vector<std::pair<std::string, std::string>> parse_sse(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> events;
  std::string event;
  std::string data;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    const std::string line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) {
      if (!data.empty() || !event.empty()) events.emplace_back(event, data);
      event.clear();
      data.clear();
    } else if (line.rfind("event: ", 0) == 0) {
      event = line.substr(7);
    } else if (line.rfind("data: ", 0) == 0) {
      if (!data.empty()) data.push_back('\n');
      data += line.substr(6);
    }
  }
  return events;
}

}  // namespace osprey::fakes::testing
