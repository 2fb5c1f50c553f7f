#include "batch/batch_input.h"

#include <unordered_set>

#include "batch/invalid_param.h"
#include "core/echoed_name.h"
#include "core/json_parse.h"
#include "providers/openai/openai_request_parser.h"

namespace osprey::batch {
namespace {

Error bad_line(std::size_t line, const std::string& message) {
  return invalid_param("line " + std::to_string(line), message);
}

class InputBuilder {
 public:
  explicit InputBuilder(const BatchInputRules& rules) : rules_(rules) {
    input_.model = rules.model;
  }

  Status add(std::size_t line, const nlohmann::json& value) {
    if (input_.lines.size() >= rules_.max_lines) {
      return bad_line(line, "more than " + std::to_string(rules_.max_lines) + " requests");
    }
    if (!value.is_object()) return bad_line(line, "must be a JSON object");
    for (const auto& [key, field] : value.items()) {
      if (key != "custom_id" && key != "method" && key != "url" && key != "body") {
        return bad_line(line, key + ": unknown field");
      }
    }
    const auto id = value.find("custom_id");
    if (id == value.end() || !id->is_string() || id->get_ref<const std::string&>().empty() ||
        id->get_ref<const std::string&>().size() > 512) {
      return bad_line(line, "custom_id: must be a string of 1 to 512 bytes");
    }
    const std::string& custom_id = id->get_ref<const std::string&>();
    if (!seen_.insert(custom_id).second) {
      return bad_line(line, "custom_id: \"" + custom_id + "\" is used by an earlier line");
    }
    if (!value.contains("method") || value["method"] != "POST") {
      return bad_line(line, "method: must be \"POST\"");
    }
    if (!value.contains("url") || value["url"] != rules_.endpoint) {
      return bad_line(line, "url: must be the batch's endpoint \"" + rules_.endpoint + "\"");
    }
    const auto body_it = value.find("body");
    if (body_it == value.end() || !body_it->is_object()) {
      return bad_line(line, "body: must be a JSON object");
    }
    nlohmann::json body = *body_it;
    if (Status st = check_model(line, body); !st.ok()) return st;
    if (const auto stream = body.find("stream"); stream != body.end() && *stream == true) {
      return bad_line(line, "body.stream: not supported in a batch");
    }
    if (rules_.check_body) {
      if (Status st = rules_.check_body(body); !st.ok()) {
        return bad_line(line, "body: " + st.error().message);
      }
    }
    auto parsed = providers::openai::parse_chat_request(body);
    if (!parsed) return bad_line(line, "body: " + parsed.error().message);
    input_.lines.push_back(BatchLine{line, custom_id, std::move(body)});
    return {};
  }

  Result<BatchInput> finish() && {
    if (input_.lines.empty()) {
      return make_error(ErrorCode::kInvalidRequest, "input: the batch has no requests");
    }
    return std::move(input_);
  }

 private:
  Status check_model(std::size_t line, nlohmann::json& body) {
    const auto it = body.find("model");
    if (it == body.end()) {
      if (input_.model.empty()) return bad_line(line, "body.model: required");
      body["model"] = input_.model;
      return {};
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      return bad_line(line, "body.model: must be a non-empty string");
    }
    const std::string& model = it->get_ref<const std::string&>();
    if (input_.model.empty()) {
      input_.model = model;
    } else if (model != input_.model) {
      return bad_line(line, "body.model: \"" + echoed_name(model) +
                                "\" differs from the batch's model \"" + echoed_name(input_.model) +
                                "\" (one model per batch)");
    }
    return {};
  }

  const BatchInputRules& rules_;
  BatchInput input_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

Result<BatchInput> parse_batch_jsonl(std::string_view text, const BatchInputRules& rules) {
  InputBuilder builder(rules);
  std::size_t line = 0;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;
    const nlohmann::json value = parse_json(raw);
    if (value.is_discarded()) return bad_line(line, json_refusal(raw));
    if (Status st = builder.add(line, value); !st.ok()) return st.error();
  }
  return std::move(builder).finish();
}

Result<BatchInput> parse_batch_items(const nlohmann::json& items, const BatchInputRules& rules) {
  if (!items.is_array()) {
    return make_error(ErrorCode::kInvalidRequest, "items: must be an array of request lines");
  }
  InputBuilder builder(rules);
  std::size_t line = 0;
  for (const nlohmann::json& value : items) {
    if (Status st = builder.add(++line, value); !st.ok()) return st.error();
  }
  return std::move(builder).finish();
}

}  // namespace osprey::batch
