#pragma once
// TestUpstream: a scriptable HTTP/1.1 (or HTTPS) server for HttpClient tests. Listens on
// 127.0.0.1 port 0 and runs its own io_context thread. Each request is answered from a Reply
// chosen by the test's handler: a fixed body, N chunks with delays, a stall before the headers
// or mid-body, a cut mid-body, or a close without answering. Counts accepted, open and closed
// connections so tests can check pooling. Counters and the handler are thread-safe.
//
// Header-only because the unit-test glob only compiles *_test.cpp files.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace osprey::net::fakes {

struct Reply {
  int status = 200;
  std::string body = "ok";                    // used when `chunks` is empty
  std::vector<std::string> chunks;            // non-empty: chunked transfer encoding
  std::chrono::milliseconds header_delay{0};  // stall before the status line
  std::chrono::milliseconds chunk_delay{0};   // pause before every chunk but the first
  // If set, the last chunk waits until the flag is true (test opens it; gives up after 10 s).
  std::shared_ptr<std::atomic<bool>> last_chunk_gate;
  std::chrono::milliseconds stall_after_chunks{0};  // then close without the final chunk
  bool cut_after_chunks = false;  // close right after the chunks, without the final chunk
  bool close_without_reply = false;
  bool keep_alive = true;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct SeenRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (boost::beast::iequals(k, name)) return v;
    }
    return {};
  }
};

class TestUpstream {
 public:
  using Handler = std::function<Reply(const SeenRequest&)>;
  struct Tls {
    std::string cert_file, key_file;
  };

  explicit TestUpstream(std::optional<Tls> tls = std::nullopt) : acceptor_(io_) {
    namespace asio = boost::asio;
    if (tls) {
      tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls->cert_file);
      tls_->use_private_key_file(tls->key_file, asio::ssl::context::pem);
    }
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestUpstream() {
    io_.stop();
    thread_.join();
  }
  TestUpstream(const TestUpstream&) = delete;
  TestUpstream& operator=(const TestUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
  }
  void on_request(Handler handler) {
    std::lock_guard lock(mu_);
    handler_ = std::move(handler);
  }
  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int accepted() const { return accepted_.load(); }
  int open_connections() const { return open_.load(); }
  int peak_connections() const { return peak_.load(); }
  // Connections the client closed (seen as EOF or reset by the server).
  int closed_by_client() const { return closed_by_client_.load(); }
  // Closes every connection that is waiting for its next request (keep-alive idle), and every
  // connection open now that is still finishing a response once it gets there (the client may
  // have its answer before this server's write has completed).
  void close_idle_connections() {
    boost::asio::post(io_, [this] {
      close_when_idle_upto_ = accepted_.load();
      for (auto& weak : idle_sockets_) {
        if (auto socket = weak.lock()) {
          boost::system::error_code ec;
          socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
          socket->close(ec);
        }
      }
      idle_sockets_.clear();
    });
  }

 private:
  using Socket = boost::asio::ip::tcp::socket;
  using TlsStream = boost::asio::ssl::stream<Socket&>;

  boost::asio::awaitable<void> accept_loop() {
    namespace asio = boost::asio;
    for (;;) {
      boost::system::error_code ec;
      auto socket = std::make_shared<Socket>(
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
      if (ec) co_return;
      ++accepted_;
      const int now_open = ++open_;
      for (int peak = peak_.load();
           now_open > peak && !peak_.compare_exchange_weak(peak, now_open);) {
      }
      asio::co_spawn(io_, session(socket, accepted_.load()), asio::detached);
    }
  }

  // `seq`: this connection's number in accept order (1, 2, ...).
  boost::asio::awaitable<void> session(std::shared_ptr<Socket> socket, int seq) {
    namespace asio = boost::asio;
    if (tls_) {
      TlsStream stream(*socket, *tls_);
      boost::system::error_code ec;
      co_await stream.async_handshake(asio::ssl::stream_base::server,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) co_await serve(stream, socket, seq);
    } else {
      co_await serve(*socket, socket, seq);
    }
    boost::system::error_code ec;
    socket->close(ec);
    --open_;
  }

  // Waits `d`, returning false early if the client closes the connection meanwhile.
  boost::asio::awaitable<bool> stall(Socket& socket, std::chrono::milliseconds d) {
    namespace asio = boost::asio;
    asio::steady_timer timer(io_);
    timer.expires_after(d);
    auto peer_closed = std::make_shared<bool>(false);
    socket.async_wait(Socket::wait_read, [peer_closed, &timer](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the stall ended first
      *peer_closed = true;
      timer.cancel();
    });
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!*peer_closed) socket.cancel(ec);  // stop the pending wait; it no longer touches timer
    co_return !*peer_closed;
  }

  template <typename Stream>
  boost::asio::awaitable<void> serve(Stream& stream, std::shared_ptr<Socket> socket, int seq) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      if (seq <= close_when_idle_upto_) co_return;  // close_idle_connections() asked for it
      idle_sockets_.push_back(socket);
      co_await http::async_read(stream, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      std::erase_if(idle_sockets_, [&](auto& w) { return w.lock() == socket || w.expired(); });
      if (ec) {
        ++closed_by_client_;
        co_return;
      }
      SeenRequest seen{
          std::string(request.method_string()), std::string(request.target()), request.body(), {}};
      for (const auto& field : request) {
        seen.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      Reply reply;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(seen);
        if (handler_) reply = handler_(seen);
      }
      if (reply.close_without_reply) co_return;
      if (reply.header_delay.count() > 0 && !co_await stall(*socket, reply.header_delay)) {
        ++closed_by_client_;
        co_return;
      }
      if (reply.chunks.empty()) {
        http::response<http::string_body> response{http::int_to_status(reply.status), 11};
        for (const auto& [k, v] : reply.headers) response.set(k, v);
        response.body() = reply.body;
        response.keep_alive(reply.keep_alive);
        response.prepare_payload();
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !reply.keep_alive) co_return;
        continue;
      }
      http::response<http::empty_body> head{http::int_to_status(reply.status), 11};
      for (const auto& [k, v] : reply.headers) head.set(k, v);
      head.keep_alive(reply.keep_alive);
      head.chunked(true);
      http::response_serializer<http::empty_body> serializer{head};
      co_await http::async_write_header(stream, serializer,
                                        asio::redirect_error(asio::use_awaitable, ec));
      for (std::size_t i = 0; i < reply.chunks.size() && !ec; ++i) {
        if (i > 0 && reply.chunk_delay.count() > 0 && !co_await stall(*socket, reply.chunk_delay)) {
          ++closed_by_client_;
          co_return;
        }
        if (i + 1 == reply.chunks.size() && reply.last_chunk_gate) {
          int waited = 0;
          while (!reply.last_chunk_gate->load() && waited++ < 2000) {
            if (!co_await stall(*socket, std::chrono::milliseconds(5))) co_return;
          }
          if (!reply.last_chunk_gate->load()) co_return;  // the client never saw chunk 1
        }
        co_await asio::async_write(stream, http::make_chunk(asio::buffer(reply.chunks[i])),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec || reply.cut_after_chunks) co_return;
      if (reply.stall_after_chunks.count() > 0) {
        if (!co_await stall(*socket, reply.stall_after_chunks)) ++closed_by_client_;
        co_return;
      }
      co_await asio::async_write(stream, http::make_chunk_last(),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !reply.keep_alive) co_return;
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::weak_ptr<Socket>> idle_sockets_;  // only on the io_ thread
  int close_when_idle_upto_ = 0;  // connections up to this seq close when idle; io_ thread only

  mutable std::mutex mu_;  // guards handler_ and requests_
  Handler handler_;
  std::vector<SeenRequest> requests_;

  std::atomic<int> accepted_{0}, open_{0}, peak_{0}, closed_by_client_{0};
};

// Runs `make_task()` on `io` until it and everything it spawned finished. `io` must outlive any
// HttpClient used inside, because pooled connections stay registered with it.
template <typename MakeTask>
void run_on(boost::asio::io_context& io, MakeTask&& make_task) {
  std::exception_ptr failure;
  boost::asio::co_spawn(io, make_task(), [&](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace osprey::net::fakes
