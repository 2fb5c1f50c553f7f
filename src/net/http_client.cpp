#include "net/http_client.h"

#include <utility>

#include "net/client_exchange.h"
#include "net/client_pool.h"
#include "net/client_tls_context.h"

namespace osprey::net {

struct HttpClient::Impl {
  ClientOptions options;
  // Shared with leases, so a stream that outlives the client can still return its slot.
  std::shared_ptr<ClientPool> pool;
  std::unique_ptr<boost::asio::ssl::context> tls_context;
  std::optional<Error> tls_error;  // why tls_context is null; reported by https requests

  ExchangeSettings settings() const {
    return ExchangeSettings{pool.get(), tls_context.get(), tls_error ? &*tls_error : nullptr,
                            options.max_response_header_bytes};
  }
};

namespace {

class ExchangeStream final : public ResponseStream {
 public:
  explicit ExchangeStream(std::unique_ptr<ClientExchange> exchange)
      : exchange_(std::move(exchange)) {}
  int status() const override { return exchange_->status(); }
  const Headers& headers() const override { return exchange_->headers(); }
  Task<Result<std::optional<std::string>>> next() override { return exchange_->next_chunk(); }

 private:
  std::unique_ptr<ClientExchange> exchange_;
};

}  // namespace

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  impl_->pool = std::make_shared<ClientPool>(impl_->options.max_connections_per_host,
                                             impl_->options.pool_idle_timeout);
  auto tls = make_client_tls_context(impl_->options.verify_tls, impl_->options.ca_file);
  if (tls) {
    impl_->tls_context = std::move(*tls);
  } else {
    impl_->tls_error = tls.error();
  }
}

HttpClient::~HttpClient() = default;

Task<Result<std::unique_ptr<ResponseStream>>> HttpClient::open(ClientRequest request) {
  auto impl = impl_;  // keeps the pool and TLS context alive across suspensions
  auto exchange = co_await ClientExchange::start(request, impl->settings());
  if (!exchange) co_return exchange.error();
  co_return std::unique_ptr<ResponseStream>(std::make_unique<ExchangeStream>(std::move(*exchange)));
}

Task<Result<ClientResponse>> HttpClient::send(ClientRequest request) {
  auto impl = impl_;
  auto exchange = co_await ClientExchange::start(request, impl->settings());
  if (!exchange) co_return exchange.error();
  ClientResponse response;
  response.status = (*exchange)->status();
  response.headers = (*exchange)->headers();
  for (;;) {
    auto chunk = co_await (*exchange)->next_chunk();
    if (!chunk) co_return chunk.error();
    if (!*chunk) break;
    if (response.body.size() + (*chunk)->size() > impl->options.max_response_body_bytes) {
      co_return make_client_error(
          ClientErrorKind::kMalformed, (*exchange)->authority(),
          "body over " + std::to_string(impl->options.max_response_body_bytes) + " bytes");
    }
    if (response.body.empty()) {
      response.body = std::move(**chunk);  // the common case: the whole body in one piece
    } else {
      response.body += **chunk;
    }
  }
  co_return response;
}

HttpClient::PoolStats HttpClient::stats() const {
  const auto stats = impl_->pool->stats();
  return PoolStats{stats.idle, stats.active};
}

}  // namespace osprey::net
