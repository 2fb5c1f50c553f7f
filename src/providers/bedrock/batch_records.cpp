#include "providers/bedrock/batch_records.h"

#include <charconv>

#include "core/json_parse.h"
#include "providers/upstream_error.h"

namespace osprey::providers::bedrock {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "REC";
constexpr std::size_t kDigits = 8;

std::string error_code_text(const json& code) {
  if (code.is_number_integer()) return std::to_string(code.get<std::int64_t>());
  if (code.is_string()) return code.get<std::string>();
  return code.is_null() ? "unknown" : code.dump();
}

BatchRecordResult read_record(const json& line, BatchModelFamily family) {
  BatchRecordResult r;
  r.record_id = line.value("recordId", "");
  r.index = record_index(r.record_id);
  if (auto e = line.find("error"); e != line.end() && !e->is_null()) {
    r.error_code = e->is_object() ? error_code_text(e->value("errorCode", json())) : "unknown";
    r.error_message = e->is_object() ? e->value("errorMessage", "") : e->dump();
    if (r.error_message.empty()) r.error_message = "bedrock reported an error for this record";
    return r;
  }
  auto out = line.find("modelOutput");
  if (out == line.end() || !out->is_object()) {
    r.error_code = "malformed_output";
    r.error_message = "record has neither modelOutput nor error";
    return r;
  }
  auto parsed = parse_model_output(family, *out);
  if (!parsed) {
    r.error_code = "malformed_output";
    r.error_message = parsed.error().message;
    return r;
  }
  r.response = std::move(*parsed);
  return r;
}

}  // namespace

std::string record_id_at(std::size_t index) {
  std::string digits = std::to_string(index);
  if (digits.size() < kDigits) digits.insert(0, kDigits - digits.size(), '0');
  return std::string(kPrefix) + digits;
}

std::optional<std::size_t> record_index(std::string_view record_id) {
  if (!record_id.starts_with(kPrefix) || record_id.size() != kPrefix.size() + kDigits) {
    return std::nullopt;
  }
  std::size_t value = 0;
  const char* last = record_id.data() + record_id.size();
  auto [end, ec] = std::from_chars(record_id.data() + kPrefix.size(), last, value);
  if (ec != std::errc{} || end != last) return std::nullopt;
  return value;
}

std::string build_input_file(const std::vector<json>& model_inputs) {
  std::string out;
  for (std::size_t i = 0; i < model_inputs.size(); ++i) {
    out += json{{"recordId", record_id_at(i)}, {"modelInput", model_inputs[i]}}.dump();
    out += '\n';
  }
  return out;
}

BatchOutput parse_output_file(std::string_view text, BatchModelFamily family) {
  BatchOutput out;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const json doc = parse_json(line);
    if (!doc.is_object() || !doc.contains("recordId") || !doc["recordId"].is_string()) {
      out.bad_lines.push_back("line " + std::to_string(number) + ": " + body_excerpt(line));
      continue;
    }
    out.records.push_back(read_record(doc, family));
  }
  return out;
}

Result<BatchManifest> parse_manifest(std::string_view text) {
  const json doc = parse_json(text);
  if (!doc.is_object()) {
    return malformed_upstream_body("bedrock",
                                   "manifest.json.out is not a JSON object: " + body_excerpt(text))
        .to_error();
  }
  auto count = [&doc](const char* key) -> std::int64_t {
    auto it = doc.find(key);
    return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  BatchManifest m;
  m.total_records = count("totalRecordCount");
  m.processed_records = count("processedRecordCount");
  m.success_records = count("successRecordCount");
  m.error_records = count("errorRecordCount");
  m.input_tokens = count("inputTokenCount");
  m.output_tokens = count("outputTokenCount");
  return m;
}

}  // namespace osprey::providers::bedrock
