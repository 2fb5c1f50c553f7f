#include "providers/response_event_reader.h"

#include <utility>

#include "providers/upstream_call.h"

namespace osprey::providers {

ResponseEventReader::ResponseEventReader(std::unique_ptr<net::ResponseStream> stream,
                                         std::unique_ptr<StreamDecoder> decoder, std::string vendor)
    : stream_(std::move(stream)), decoder_(std::move(decoder)), vendor_(std::move(vendor)) {}

UpstreamError ResponseEventReader::fail(UpstreamError error) {
  if (delivered_ && error.code != ErrorCode::kClientClosed) error.retryable = false;
  failed_ = error;
  stream_.reset();  // closes the connection: its state is unknown
  return error;
}

net::Task<void> ResponseEventReader::drain() {
  while (stream_) {
    auto chunk = co_await stream_->next();
    if (!chunk || !*chunk) break;  // the answer is complete; trailing trouble does not matter
  }
  stream_.reset();
}

bool ResponseEventReader::decode(std::string_view bytes) {
  auto events = decoder_->feed(bytes);
  if (!events) {
    fail(events.error());
    return false;
  }
  for (auto& event : events.value()) pending_.push_back(std::move(event));
  return true;
}

bool ResponseEventReader::ready() {
  // Decodes what already arrived; past the end marker, next() reads the rest of the body.
  while (pending_.empty() && !failed_ && !ended_ && !decoder_->done()) {
    std::optional<std::string> chunk = stream_->next_buffered();
    if (!chunk || !decode(*chunk)) break;  // after a decoding error next() answers at once
  }
  if (!pending_.empty() || failed_ || ended_) return true;
  if (!decoder_->done() || !stream_) return false;
  // Past the end marker the clean end is at hand once the body's own end has arrived: bytes
  // after the marker are dropped, as drain() does.
  while (stream_->next_buffered()) {
  }
  return stream_->end_buffered();
}

net::Task<UpstreamResult<std::optional<StreamEvent>>> ResponseEventReader::next() {
  using Out = UpstreamResult<std::optional<StreamEvent>>;
  if (failed_) co_return Out(*failed_);
  while (pending_.empty()) {
    if (ended_) co_return Out(std::optional<StreamEvent>());
    if (decoder_->done()) {
      co_await drain();
      ended_ = true;
      co_return Out(std::optional<StreamEvent>());
    }
    auto chunk = co_await stream_->next();
    if (!chunk) co_return Out(fail(upstream_error_from_client(chunk.error())));
    if (!*chunk) {
      UpstreamError e;
      e.code = ErrorCode::kUpstreamError;
      e.retryable = true;
      e.message = vendor_ + " stream ended before " + std::string(decoder_->end_marker());
      co_return Out(fail(std::move(e)));
    }
    if (!decode(**chunk)) co_return Out(*failed_);
  }
  StreamEvent event = std::move(pending_.front());
  pending_.pop_front();
  delivered_ = true;
  co_return Out(std::optional<StreamEvent>(std::move(event)));
}

}  // namespace osprey::providers
