#pragma once
// decode_lines: the loop shared by the line-framed stream decoders (SSE and NDJSON): body bytes
// are cut into lines, each line goes to the vendor's parser, and the first error ends the feed,
// reported as the parser words it. Not thread-safe: called from one stream's decoder.
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "providers/chat_types.h"
#include "providers/line_splitter.h"
#include "providers/upstream_call.h"
#include "providers/upstream_result.h"

namespace osprey::providers {

// `parser`: has done() and last_error(). `parse_line(line)`: the line's events, or nullopt when
// the line carries none (an SSE field line before its event is complete). Lines after the
// parser's end marker are ignored.
template <typename Parser, typename ParseLine>
UpstreamResult<std::vector<StreamEvent>> decode_lines(LineSplitter& splitter,
                                                      std::string_view bytes, const Parser& parser,
                                                      ParseLine&& parse_line) {
  std::vector<StreamEvent> out;
  std::optional<UpstreamError> failed;
  const Status split = splitter.feed(bytes, [&](std::string_view line) {
    if (parser.done()) return true;
    std::optional<Result<std::vector<StreamEvent>>> events = parse_line(line);
    if (!events) return true;
    if (!*events) {
      failed = parser.last_error() ? *parser.last_error() : upstream_error_from(events->error());
      return false;
    }
    for (StreamEvent& e : **events) out.push_back(std::move(e));
    return true;
  });
  if (failed) return *std::move(failed);
  if (!split) return upstream_error_from(split.error());
  return out;
}

}  // namespace osprey::providers
