#pragma once
// What the tests of the DOM-free readers share: the bytes their JSON edits draw from, the byte
// order mark that sends a body down the nlohmann path (which skips it; the fast paths take no
// such body), and stream events as text to compare.
#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "core/error.h"
#include "providers/chat_types.h"
#include "providers/overloaded.h"

namespace osprey::testing {

// The bytes JSON syntax turns on, escapes and digits, and bytes that are not UTF-8 on their own.
inline constexpr char kJsonByteList[] = "{}[],:\"\\/ \n0123456789.-+eEutrfalsn\xC3\xA9\x80\xFF\x00";
inline const std::string kJsonBytes(kJsonByteList, sizeof(kJsonByteList) - 1);  // with the NUL

inline constexpr std::string_view kBom = "\xEF\xBB\xBF";

// An error message quotes the body it was given: the reference path's has the mark in it.
inline std::string without_bom(std::string message) {
  if (auto at = message.find(kBom); at != std::string::npos) message.erase(at, kBom.size());
  return message;
}

// How much of two paths' transcripts of one stream must agree. An error quotes the start of the
// bad payload, cut with "..."; the reference path's byte order mark shifts the cut, so when both
// were cut they are compared up to the shorter cut.
inline std::size_t comparable_length(const std::string& a, const std::string& b) {
  const bool both_cut = a.ends_with("...") && b.ends_with("...") && a.size() > 3 && b.size() > 3;
  return both_cut ? std::min(a.size(), b.size()) - 3 : std::string::npos;
}

inline std::string event_text(const providers::StreamEvent& event) {
  using namespace providers;
  return std::visit(
      Overloaded{
          [](const MessageStartEvent& e) { return "start " + e.id + " " + e.model; },
          [](const TextDeltaEvent& e) { return "text " + std::to_string(e.index) + " " + e.text; },
          [](const ToolUseStartEvent& e) {
            return "tool " + std::to_string(e.index) + " " + e.id + " " + e.name;
          },
          [](const ToolUseDeltaEvent& e) {
            return "args " + std::to_string(e.index) + " " + e.partial_json;
          },
          [](const MessageStopEvent& e) {
            return "stop " + std::to_string(static_cast<int>(e.stop_reason));
          },
          [](const UsageEvent& e) {
            return "usage " + std::to_string(e.input_tokens) + " " +
                   std::to_string(e.output_tokens);
          },
      },
      event);
}

// A stream's transcript through one parser, up to its first error: each item goes through
// feed(item), then "done" or "open" as the parser saw the end or not.
template <typename Parser, typename Items, typename Feed>
std::string stream_transcript(const Parser& parser, const Items& items, Feed&& feed) {
  std::string out;
  for (const auto& item : items) {
    auto events = feed(item);
    if (!events) {
      return out + "error " + std::string(code_name(events.code())) + ": " +
             without_bom(events.error().message);
    }
    for (const providers::StreamEvent& e : *events) out += event_text(e) + "\n";
  }
  return out + (parser.done() ? "done" : "open");
}

}  // namespace osprey::testing
