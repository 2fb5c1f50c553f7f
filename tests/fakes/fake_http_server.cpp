#include "fakes/fake_http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <thread>

namespace osprey::fakes {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBody = 64 * 1024 * 1024;

template <typename Message>
void apply_headers(Message& msg, const HeaderList& headers) {
  for (const auto& [name, value] : headers) msg.set(name, value);
}

class Exchange final : public FakeExchange {
 public:
  Exchange(tcp::socket& socket, beast::flat_buffer& buffer, bool keep_alive)
      : socket_(socket), buffer_(buffer), keep_alive_(keep_alive) {}

  Task<bool> respond(int status, const HeaderList& headers, std::string body) override {
    started_ = true;
    http::response<http::string_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(status));
    apply_headers(res, headers);
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    boost::system::error_code ec;
    co_await http::async_write(socket_, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) broken_ = true;
    co_return !broken_;
  }

  Task<bool> begin_chunked(int status, const HeaderList& headers) override {
    started_ = true;
    http::response<http::empty_body> res;
    res.version(11);
    res.result(static_cast<unsigned>(status));
    apply_headers(res, headers);
    res.keep_alive(keep_alive_);
    res.chunked(true);
    http::response_serializer<http::empty_body> serializer(res);
    boost::system::error_code ec;
    co_await http::async_write_header(socket_, serializer,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (ec) broken_ = true;
    co_return !broken_;
  }

  Task<bool> write_chunk(std::string_view data) override {
    if (broken_) co_return false;
    if (data.empty()) co_return true;  // an empty chunk would end the body
    boost::system::error_code ec;
    co_await asio::async_write(socket_, http::make_chunk(asio::buffer(data.data(), data.size())),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) broken_ = true;
    co_return !broken_;
  }

  Task<bool> finish() override {
    if (broken_) co_return false;
    boost::system::error_code ec;
    co_await asio::async_write(socket_, http::make_chunk_last(),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) broken_ = true;
    co_return !broken_;
  }

  void abort() override {
    started_ = true;
    broken_ = true;
    boost::system::error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
  }

  Task<bool> wait(std::chrono::milliseconds d) override {
    using namespace asio::experimental::awaitable_operators;
    const auto until = std::chrono::steady_clock::now() + d;
    asio::steady_timer timer(socket_.get_executor());
    bool client_sent = false;
    while (!broken_ && std::chrono::steady_clock::now() < until) {
      timer.expires_at(until);
      if (client_sent) {
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      // Reading while waiting is how a disconnect is noticed; bytes read (a pipelined request)
      // are kept in the connection's buffer.
      auto result = co_await (
          timer.async_wait(asio::as_tuple(asio::use_awaitable)) ||
          socket_.async_read_some(buffer_.prepare(4096), asio::as_tuple(asio::use_awaitable)));
      if (result.index() == 1) {
        const auto [ec, n] = std::get<1>(result);
        if (ec) {
          broken_ = true;
        } else {
          buffer_.commit(n);
          client_sent = true;
        }
      }
    }
    co_return !broken_;
  }

  bool started() const { return started_; }
  bool broken() const { return broken_; }

 private:
  tcp::socket& socket_;
  beast::flat_buffer& buffer_;
  const bool keep_alive_;
  bool started_ = false;
  bool broken_ = false;
};

RecordedRequest to_recorded(http::request<http::string_body>&& msg) {
  RecordedRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.path = req.target.substr(0, req.target.find('?'));
  req.headers.reserve(8);
  for (const auto& field : msg) {
    req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(msg.body());
  return req;
}

}  // namespace

struct FakeHttpServer::Impl {
  explicit Impl(FakeHandler h) : handler(std::move(h)) {}

  Task<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc),
                                                         asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  Task<void> session(tcp::socket socket) {
    beast::flat_buffer buffer;
    try {
      while (true) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kMaxBody);
        boost::system::error_code ec;
        co_await http::async_read(socket, buffer, parser,
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;  // EOF, reset or unparsable bytes: a fake just hangs up
        const bool keep_alive = parser.get().keep_alive();
        RecordedRequest req = to_recorded(parser.release());
        Exchange ex(socket, buffer, keep_alive);
        co_await handler(req, ex);
        if (!ex.started()) {
          // A named list: GCC 12 miscompiles braced temporaries inside co_await expressions.
          const HeaderList plain = {{"Content-Type", "text/plain"}};
          co_await ex.respond(500, plain, "fake handler gave no answer");
        }
        if (ex.broken() || !keep_alive) break;
      }
    } catch (const std::exception& e) {
      std::cerr << "fake upstream: connection error: " << e.what() << "\n";
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  // Declared before the io_context so that pending coroutine frames (destroyed with it) never
  // outlive the handler they call.
  FakeHandler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  int io_threads = 1;
  bool stopped = false;
};

FakeHttpServer::FakeHttpServer(FakeHandler handler, int io_threads)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  impl_->io_threads = io_threads < 1 ? 1 : io_threads;
}

FakeHttpServer::~FakeHttpServer() { stop(); }

std::string FakeHttpServer::start(std::uint16_t port) {
  boost::system::error_code ec;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  for (int i = 0; i < impl_->io_threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  }
  return {};
}

std::uint16_t FakeHttpServer::port() const { return impl_->port; }

void FakeHttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

std::unique_ptr<FakeHttpServer> start_fake_http_server(
    const std::unique_ptr<FakeHttpServer>& current, FakeHandler handler, int io_threads,
    std::uint16_t port, std::string& error) {
  if (current) {
    error = "already started";
    return nullptr;
  }
  auto server = std::make_unique<FakeHttpServer>(std::move(handler), io_threads);
  error = server->start(port);
  if (!error.empty()) return nullptr;
  return server;
}

}  // namespace osprey::fakes
