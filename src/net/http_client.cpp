#include "net/http_client.h"

#include <map>
#include <mutex>
#include <string_view>
#include <utility>

#include "net/client_exchange.h"
#include "net/client_pool.h"
#include "net/client_tls_context.h"
#include "net/headers.h"

namespace osprey::net {

namespace {

// One TLS choice: its OpenSSL context and the pool of the connections opened with it.
struct TlsProfile {
  std::shared_ptr<ClientPool> pool;  // shared with leases, so a stream outliving the client works
  std::unique_ptr<boost::asio::ssl::context> context;
  std::optional<Error> error;  // why context is null; reported by https requests
};

bool is_https(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  return iequals(url.substr(0, kScheme.size()), kScheme);
}

}  // namespace

struct HttpClient::Impl {
  ClientOptions options;
  TlsSettings default_tls;
  std::shared_ptr<TlsProfile> default_profile;  // set once in the constructor; read without mu
  mutable std::mutex mu;  // guards profiles (entries are never removed or replaced)
  std::map<TlsSettings, std::shared_ptr<TlsProfile>> profiles;

  static TlsSettings normalized(TlsSettings tls) {
    if (!tls.verify) tls.ca_file.clear();  // nothing is checked, so any CA file is the same
    return tls;
  }

  // The profile for `tls`, built on first use.
  std::shared_ptr<TlsProfile> profile(const TlsSettings& tls) {
    const TlsSettings key = normalized(tls);
    std::lock_guard lock(mu);
    auto& slot = profiles[key];
    if (!slot) {
      slot = std::make_shared<TlsProfile>();
      slot->pool =
          std::make_shared<ClientPool>(options.max_connections_per_host, options.pool_idle_timeout);
      auto context = make_client_tls_context(key.verify, key.ca_file);
      if (context) {
        slot->context = std::move(*context);
      } else {
        slot->error = context.error();
      }
    }
    return slot;
  }

  // Plain http needs no TLS choice: it always uses the default profile's pool. The common case
  // (no settings, or the defaults) takes no lock.
  std::shared_ptr<TlsProfile> profile_for(const ClientRequest& request) {
    if (!request.tls) return default_profile;
    if (request.endpoint ? !request.endpoint->url.tls() : !is_https(request.url)) {
      return default_profile;
    }
    const TlsSettings key = normalized(*request.tls);
    if (key == default_tls) return default_profile;
    return profile(key);
  }

  ExchangeSettings settings(const TlsProfile& profile) const {
    return ExchangeSettings{profile.pool.get(), profile.context.get(),
                            profile.error ? &*profile.error : nullptr,
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
  std::optional<std::string> next_buffered() override { return exchange_->next_buffered_chunk(); }
  bool end_buffered() const override { return exchange_->body_end_buffered(); }

 private:
  std::unique_ptr<ClientExchange> exchange_;
};

}  // namespace

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->options = std::move(options);
  impl_->default_tls =
      Impl::normalized(TlsSettings{impl_->options.verify_tls, impl_->options.ca_file});
  impl_->default_profile = impl_->profile(impl_->default_tls);
}

HttpClient::~HttpClient() = default;

Status HttpClient::prepare_tls(const TlsSettings& tls) {
  auto profile = impl_->profile(tls);
  if (profile->error) return *profile->error;
  return {};
}

Task<Result<std::unique_ptr<ResponseStream>>> HttpClient::open(ClientRequest request) {
  auto impl = impl_;  // keeps the pool and TLS context alive across suspensions
  auto profile = impl->profile_for(request);
  auto exchange = co_await ClientExchange::start(request, impl->settings(*profile));
  if (!exchange) co_return exchange.error();
  co_return std::unique_ptr<ResponseStream>(std::make_unique<ExchangeStream>(std::move(*exchange)));
}

Task<Result<ClientResponse>> HttpClient::send(ClientRequest request) {
  auto impl = impl_;
  auto profile = impl->profile_for(request);
  auto exchange = co_await ClientExchange::start(request, impl->settings(*profile));
  if (!exchange) co_return exchange.error();
  ClientResponse response;
  response.status = (*exchange)->status();
  response.headers = (*exchange)->take_headers();
  const std::size_t max_body = impl->options.max_response_body_bytes;
  const auto too_big = [&] {
    return make_client_error(ClientErrorKind::kMalformed, (*exchange)->authority(),
                             "body over " + std::to_string(max_body) + " bytes");
  };
  if ((*exchange)->whole()) {  // the common answer: no chunk-by-chunk reading
    if ((*exchange)->whole_body().size() > max_body) co_return too_big();
    response.body = (*exchange)->take_whole_body();
    co_return response;
  }
  for (;;) {
    auto chunk = co_await (*exchange)->next_chunk();
    if (!chunk) co_return chunk.error();
    if (!*chunk) break;
    if (response.body.size() + (*chunk)->size() > max_body) co_return too_big();
    if (response.body.empty()) {
      response.body = std::move(**chunk);  // the common case: the whole body in one piece
    } else {
      response.body += **chunk;
    }
  }
  co_return response;
}

HttpClient::PoolStats HttpClient::stats() const {
  PoolStats out;
  std::lock_guard lock(impl_->mu);
  for (const auto& [tls, profile] : impl_->profiles) {
    const auto stats = profile->pool->stats();
    out.idle += stats.idle;
    out.active += stats.active;
  }
  return out;
}

}  // namespace osprey::net
