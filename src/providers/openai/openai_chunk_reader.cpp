#include "providers/openai/openai_chunk_reader.h"

#include "providers/json_cursor.h"
#include "providers/openai/openai_plain_fields.h"

namespace osprey::providers::openai {

namespace {

// One tool_calls[] entry's "function", from its '{'.
bool read_plain_function(JsonCursor& c, PlainToolCall& call) {
  using Step = JsonCursor::Step;
  bool first = true, seen_name = false, seen_arguments = false;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError) return false;
    if (key_is(key, "name")) {
      if (!once(seen_name) || !c.string_into(call.name)) return false;
    } else if (key_is(key, "arguments")) {
      if (!once(seen_arguments) || !read_plain_text(c, call.arguments)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

// delta.tool_calls, from its '['.
bool read_plain_tool_calls(JsonCursor& c, std::vector<PlainToolCall>& calls) {
  using Step = JsonCursor::Step;
  bool first_call = true;
  for (Step e; (e = c.next_element(first_call)) != Step::kEnd;) {
    if (e == Step::kError || !c.consume('{')) return false;
    PlainToolCall& call = calls.emplace_back();
    bool first = true, seen_index = false, seen_id = false, seen_function = false;
    std::string_view key;
    for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
      if (m == Step::kError) return false;
      if (key_is(key, "index")) {
        const auto index = c.int_value();
        if (!once(seen_index) || !index) return false;
        call.index = *index;
      } else if (key_is(key, "id")) {
        if (!once(seen_id) || !c.string_into(call.id)) return false;
      } else if (key_is(key, "function")) {
        if (!once(seen_function) || !c.consume('{') || !read_plain_function(c, call)) {
          return false;
        }
      } else if (!c.skip_value()) {
        return false;
      }
    }
  }
  return true;
}

// choices[0].delta, from its '{'.
bool read_plain_delta(JsonCursor& c, PlainChunk& out) {
  using Step = JsonCursor::Step;
  bool first = true, seen_content = false, seen_calls = false;
  std::string_view key;
  for (Step m; (m = c.next_member(first, key)) != Step::kEnd;) {
    if (m == Step::kError) return false;
    if (key_is(key, "content")) {
      if (!once(seen_content) || !read_plain_text(c, out.content)) return false;
    } else if (key_is(key, "tool_calls")) {
      if (!once(seen_calls) ||
          !c.read_if('[', [&] { return read_plain_tool_calls(c, out.calls); })) {
        return false;
      }
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return true;
}

// The "choices" array, from its '['; only the first choice counts.
bool read_plain_choices(JsonCursor& c, PlainChunk& out) {
  using Step = JsonCursor::Step;
  bool first_choice = true;
  const Step step = c.next_element(first_choice);
  if (step == Step::kEnd) return true;  // no choice: a usage-only chunk
  if (step == Step::kError || !c.consume('{')) return false;
  bool first = true, seen_delta = false, seen_finish = false;
  std::string_view key;
  for (Step s; (s = c.next_member(first, key)) != Step::kEnd;) {
    if (s == Step::kError) return false;
    if (key_is(key, "delta")) {
      if (!once(seen_delta) || !c.read_if('{', [&] { return read_plain_delta(c, out); })) {
        return false;
      }
    } else if (key_is(key, "finish_reason")) {
      if (!once(seen_finish) || !read_plain_finish_reason(c, out.stop)) return false;
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return c.skip_remaining_elements(first_choice);  // later choices
}

bool read_chunk(std::string_view data, bool want_ids, PlainChunk& out) {
  using Step = JsonCursor::Step;
  JsonCursor c(data);
  if (!c.consume('{')) return false;
  bool seen_id = false, seen_model = false, seen_choices = false, seen_usage = false;
  bool first = true;
  std::string_view key;
  for (Step step; (step = c.next_member(first, key)) != Step::kEnd;) {
    if (step == Step::kError) return false;
    const bool id = key_is(key, "id");
    if (want_ids && (id || key_is(key, "model"))) {
      if (!once(id ? seen_id : seen_model) || !c.string_into(id ? out.id : out.model)) {
        return false;
      }
    } else if (key_is(key, "choices")) {
      if (!once(seen_choices) || !c.read_if('[', [&] { return read_plain_choices(c, out); })) {
        return false;
      }
    } else if (key_is(key, "usage")) {
      // null, sent with every chunk when usage is asked for, is skipped.
      if (!once(seen_usage) ||
          !c.read_if('{', [&] { return read_plain_usage(c, out.usage.emplace()); })) {
        return false;
      }
    } else if (key_is(key, "error")) {
      return false;  // an error in the stream: the DOM path words it
    } else if (!c.skip_value()) {
      return false;
    }
  }
  return c.at_end();
}

}  // namespace

std::optional<PlainChunk> read_plain_chunk(std::string_view data, bool want_ids) {
  std::optional<PlainChunk> out(std::in_place);
  if (!read_chunk(data, want_ids, *out)) out.reset();
  return out;
}

}  // namespace osprey::providers::openai
