#pragma once
// Transfer-Encoding on a request (RFC 9112 section 6). The server decodes chunked and nothing
// else, so a request it can frame names chunked once, as the only coding. Beast alone reads an
// unknown or non-final coding as "no body", and the body's bytes as the next request: request
// smuggling. The verdict here comes first.
#include <string_view>

namespace osprey::net {

enum class TransferCoding {
  kChunked,      // "chunked" alone (any case, any whitespace): read the body as chunks
  kBadFraming,   // chunked is not the final coding, or repeated: 400, then close
  kUnsupported,  // chunked last, after a coding the server does not decode (gzip...): 501, close
};

// `list` is every Transfer-Encoding field value of the request joined with commas (several field
// lines form one list, RFC 9110 section 5.3). Empty list elements are ignored.
TransferCoding read_transfer_coding(std::string_view list);

}  // namespace osprey::net
