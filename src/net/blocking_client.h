#pragma once
// fetch(): one HTTP request from plain blocking code (the CLI), on a private io_context run on
// the calling thread. Same semantics and errors as HttpClient::send. Thread-safe (nothing
// shared between calls); not for I/O threads.
#include "core/result.h"
#include "net/http_client.h"

namespace osprey::net {

Result<ClientResponse> fetch(ClientRequest request, ClientOptions options = {});

}  // namespace osprey::net
