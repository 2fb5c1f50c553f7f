#include "providers/openai/openai_plain_fields.h"

#include "providers/openai/openai_upstream_codec.h"

namespace osprey::providers::openai {

bool read_plain_usage(JsonCursor& c, Usage& usage) {
  using Step = JsonCursor::Step;
  bool first = true, seen_in = false, seen_out = false;
  std::string_view key;
  for (Step u; (u = c.next_member(first, key)) != Step::kEnd;) {
    if (u == Step::kError) return false;
    const bool in = key_is(key, "prompt_tokens");
    if (in || key_is(key, "completion_tokens")) {
      if (!once(in ? seen_in : seen_out)) return false;
      auto value = c.integer();
      if (!value) return false;
      (in ? usage.input_tokens : usage.output_tokens) = *value;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

bool read_plain_text(JsonCursor& c, std::string& text) {
  if (c.peek() != '"') return c.skip_value();
  return c.string_into(text);
}

bool read_plain_finish_reason(JsonCursor& c, std::optional<StopReason>& reason) {
  if (c.peek() != '"') return c.skip_value();
  auto text = c.string_view();
  if (!text) return false;
  reason = parse_finish_reason(*text);
  return true;
}

}  // namespace osprey::providers::openai
