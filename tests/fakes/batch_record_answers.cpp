#include "fakes/batch_record_answers.h"

#include <limits>
#include <variant>
#include <vector>

#include "fakes/personality.h"

namespace osprey::fakes {
namespace {

using nlohmann::json;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) out.push_back(line);
    start = end + 1;
  }
  return out;
}

json record_error(int code, std::string message) {
  return {{"errorCode", code}, {"errorMessage", std::move(message)}};
}

std::string reply_message(const Reply& reply) {
  const json body = json::parse(reply.body, nullptr, false);
  if (body.is_object()) {
    if (body.contains("message") && body["message"].is_string()) return body["message"];
    if (body.contains("error") && body["error"].is_object())
      return body["error"].value("message", "");
  }
  return reply.body;
}

// The modelOutput for one modelInput, or an error object, as InvokeModel would answer.
json answer_one(const json& input, std::string_view model_id, std::uint64_t seq, json& error) {
  static const auto anthropic = make_anthropic_personality({});
  static const auto converse = make_bedrock_personality({});
  RecordedRequest req;
  req.method = "POST";
  json body = input;
  const Personality* personality = nullptr;
  if (model_id.find("anthropic.claude") != std::string_view::npos) {
    if (input.value("anthropic_version", "") != "bedrock-2023-05-31") {
      error = record_error(400, "anthropic_version: must be bedrock-2023-05-31");
      return nullptr;
    }
    body.erase("anthropic_version");
    body["model"] = std::string(model_id);
    req.path = "/v1/messages";
    personality = anthropic.get();
  } else if (model_id.find("amazon.nova") != std::string_view::npos) {
    if (input.contains("schemaVersion") && input["schemaVersion"] != "messages-v1") {
      error = record_error(400, "schemaVersion: must be messages-v1");
      return nullptr;
    }
    body.erase("schemaVersion");
    req.path = "/model/" + std::string(model_id) + "/converse";
    personality = converse.get();
  } else {
    error = record_error(400, "the fake answers anthropic.claude and amazon.nova models only");
    return nullptr;
  }
  req.target = req.path;
  req.body = body.dump();
  auto parsed = personality->parse_chat(req);
  if (const auto* reply = std::get_if<Reply>(&parsed)) {
    error = record_error(reply->status, reply_message(*reply));
    return nullptr;
  }
  const ParsedChat& chat = std::get<ParsedChat>(parsed);
  const Reply reply = personality->complete(chat, plan_answer(chat.turn), seq);
  return json::parse(reply.body);
}

}  // namespace

BatchInputCheck check_batch_input(std::string_view input) {
  BatchInputCheck check;
  for (std::string_view line : lines_of(input)) {
    const json doc = json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("modelInput") || !doc["modelInput"].is_object()) {
      check.error = "record " + std::to_string(check.records + 1) +
                    " is not a JSON object with a modelInput object";
      return check;
    }
    ++check.records;
  }
  return check;
}

BatchRecordAnswers answer_batch_records(std::string_view input, std::string_view model_id,
                                        const std::set<std::string>& fail_ids, std::size_t limit) {
  BatchRecordAnswers out;
  std::int64_t ok = 0, failed = 0, input_tokens = 0, output_tokens = 0;
  std::uint64_t seq = 0;
  for (std::string_view line : lines_of(input)) {
    if (out.records == limit) break;
    const json doc = json::parse(line, nullptr, false);
    if (!doc.is_object()) continue;
    json record = {{"recordId", doc.value("recordId", "")},
                   {"modelInput", doc.value("modelInput", json::object())}};
    json error;
    json output;
    if (fail_ids.contains(record["recordId"].get<std::string>())) {
      error = record_error(400, "Malformed input request: injected failure for this record");
    } else {
      output = answer_one(record["modelInput"], model_id, ++seq, error);
    }
    if (error.is_null()) {
      const json& usage = output.value("usage", json::object());
      input_tokens += usage.value("input_tokens", usage.value("inputTokens", 0));
      output_tokens += usage.value("output_tokens", usage.value("outputTokens", 0));
      record["modelOutput"] = std::move(output);
      ++ok;
    } else {
      record["error"] = std::move(error);
      ++failed;
    }
    out.output += record.dump() + "\n";
    ++out.records;
  }
  out.manifest = {{"totalRecordCount", lines_of(input).size()},
                  {"processedRecordCount", ok + failed},
                  {"successRecordCount", ok},
                  {"errorRecordCount", failed},
                  {"inputTokenCount", input_tokens},
                  {"outputTokenCount", output_tokens}};
  return out;
}

}  // namespace osprey::fakes
