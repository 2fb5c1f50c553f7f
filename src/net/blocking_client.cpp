#include "net/blocking_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

namespace osprey::net {

Result<ClientResponse> fetch(ClientRequest request, ClientOptions options) {
  boost::asio::io_context io;  // declared first: outlives the client's pooled sockets
  std::optional<Result<ClientResponse>> out;
  {
    HttpClient client(std::move(options));
    boost::asio::co_spawn(
        io,
        [&client, &out, request = std::move(request)]() mutable -> Task<void> {
          out.emplace(co_await client.send(std::move(request)));
        },
        [&out](std::exception_ptr e) {
          if (e && !out) out.emplace(make_error(ErrorCode::kInternal, "request failed"));
        });
    io.run();
  }
  if (!out) return make_error(ErrorCode::kInternal, "request did not complete");
  return std::move(*out);
}

}  // namespace osprey::net
