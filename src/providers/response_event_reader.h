#pragma once
// ResponseEventReader: the ChatEventReader of every HTTP adapter. Pulls body bytes from an open
// net::ResponseStream, decodes them with the vendor's StreamDecoder and hands out events one at
// a time. The clean end is reported only after the vendor's end marker; a body that ends early,
// a cut connection or a timeout is an error (never a clean end). Once an event was handed out,
// errors are marked not retryable: part of the answer already reached the caller.
// Not thread-safe: owned by one caller, used from one coroutine at a time.
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_client.h"
#include "providers/provider.h"
#include "providers/stream_decoder.h"

namespace osprey::providers {

class ResponseEventReader final : public ChatEventReader {
 public:
  // `vendor` names the upstream in error messages.
  ResponseEventReader(std::unique_ptr<net::ResponseStream> stream,
                      std::unique_ptr<StreamDecoder> decoder, std::string vendor);

  net::Task<UpstreamResult<std::optional<StreamEvent>>> next() override;
  bool ready() override;

 private:
  UpstreamError fail(UpstreamError error);
  // Queues the events `bytes` complete; false after a decoding error (failed_ then holds it).
  bool decode(std::string_view bytes);
  // After the end marker, reads the rest of the body so the connection can go back to the pool.
  net::Task<void> drain();

  std::unique_ptr<net::ResponseStream> stream_;
  std::unique_ptr<StreamDecoder> decoder_;
  std::string vendor_;
  std::deque<StreamEvent> pending_;
  bool delivered_ = false;  // an event reached the caller
  bool ended_ = false;
  std::optional<UpstreamError> failed_;
};

}  // namespace osprey::providers
