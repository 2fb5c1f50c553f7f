#pragma once
// StreamDecoder: one vendor's streaming body format (SSE, NDJSON, AWS event stream) plus its
// stream parser, as ResponseEventReader needs it: body bytes in, StreamEvents out, and whether
// the vendor's end-of-stream marker was seen. Not thread-safe: one per stream.
#include <string_view>
#include <vector>

#include "providers/chat_types.h"
#include "providers/upstream_result.h"

namespace osprey::providers {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // The events carried by the next body bytes (possibly none). An error is final.
  virtual UpstreamResult<std::vector<StreamEvent>> feed(std::string_view bytes) = 0;
  // True once the end-of-stream marker ([DONE], message_stop, done:true, metadata) arrived.
  virtual bool done() const = 0;
  // Names the marker in the error reported when the body ends without it.
  virtual std::string_view end_marker() const = 0;
};

}  // namespace osprey::providers
