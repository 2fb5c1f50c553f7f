#include "batch/batch_workload.h"

#include <algorithm>
#include <string>

#include "batch/batch_mode.h"
#include "batch/batch_native_codec.h"
#include "batch/batch_output.h"
#include "batch/invalid_param.h"
#include "core/echoed_name.h"
#include "core/log.h"
#include "providers/openai/openai_response_writer.h"

namespace osprey::batch {
namespace {

Status check_metadata(const nlohmann::json& metadata) {
  // OpenAI's limits: 16 pairs, keys up to 64 characters, values up to 512.
  if (!metadata.is_object() || metadata.size() > 16) {
    return invalid_request("metadata: must be an object of at most 16 string values");
  }
  for (const auto& [key, value] : metadata.items()) {
    if (key.size() > 64 || !value.is_string() || value.get_ref<const std::string&>().size() > 512) {
      return invalid_request("metadata." + key +
                             ": keys up to 64 characters, string values up to 512");
    }
  }
  return {};
}

std::string string_field(const nlohmann::json& spec, const char* name) {
  const auto it = spec.find(name);
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

BatchWorkload::BatchWorkload(BatchWorkloadDeps deps) : deps_(std::move(deps)) {}

Status BatchWorkload::validate(const nlohmann::json& spec) const {
  if (!spec.is_object()) return invalid_request("spec: must be an object");
  static const char* kKnown[] = {"input_file_id", "items",    "endpoint",         "mode",
                                 "model",         "metadata", "completion_window"};
  for (const auto& [key, value] : spec.items()) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; })) {
      return invalid_request(key + ": unknown field");
    }
  }
  const bool file = spec.contains("input_file_id");
  if (file == spec.contains("items"))
    return invalid_request("input_file_id: give either it or items");
  if (file && string_field(spec, "input_file_id").empty()) {
    return invalid_request("input_file_id: must be a file id");
  }
  if (spec.contains("endpoint") && spec["endpoint"] != std::string(kChatCompletionsEndpoint)) {
    return invalid_request("endpoint: only \"/v1/chat/completions\" is supported");
  }
  if (spec.contains("model") && string_field(spec, "model").empty()) {
    return invalid_request("model: must be a non-empty string");
  }
  if (spec.contains("completion_window") && spec["completion_window"] != "24h") {
    return invalid_request("completion_window: only \"24h\" is supported");
  }
  if (spec.contains("metadata") && !spec["metadata"].is_null()) {
    if (Status st = check_metadata(spec["metadata"]); !st.ok()) return st;
  }
  if (auto mode = batch_mode_of(spec); !mode) return mode.error();
  return {};
}

Result<BatchInput> BatchWorkload::read_input(const nlohmann::json& spec,
                                             std::optional<std::int64_t> tenant_id) const {
  BatchInputRules rules;
  rules.model = string_field(spec, "model");
  rules.max_lines = deps_.max_items;
  rules.check_body = deps_.check_body;
  if (const auto items = spec.find("items"); items != spec.end()) {
    return parse_batch_items(*items, rules);
  }
  const std::string file_id = string_field(spec, "input_file_id");
  auto record = deps_.files.get(tenant_id, file_id);
  if (!record) {
    Error e = record.error();
    e.param = "input_file_id";
    return e;
  }
  if (record->purpose != "batch") {
    return invalid_param("input_file_id", "file " + file_id + " has purpose \"" + record->purpose +
                                              "\", not \"batch\"");
  }
  auto text = deps_.files.read(tenant_id, file_id);
  if (!text) return text.error();
  return parse_batch_jsonl(text.value(), rules);
}

Result<std::vector<jobs::PlannedItem>> BatchWorkload::plan(const nlohmann::json& spec) const {
  if (!spec.contains("items")) return invalid_request("input_file_id: needs the submitting tenant");
  return plan_for(spec, gateway::Principal{});
}

Result<std::vector<jobs::PlannedItem>> BatchWorkload::plan_for(
    const nlohmann::json& spec, const gateway::Principal& who) const {
  auto input = read_input(spec, who.tenant_id);
  if (!input) return input.error();
  if (!who.plan.allows_model(input->model)) {
    return make_error(
        ErrorCode::kForbidden,
        "model_not_allowed: this API key may not use model \"" + echoed_name(input->model) + "\"");
  }
  std::vector<jobs::PlannedItem> items;
  items.reserve(input->lines.size());
  for (BatchLine& line : input->lines) {
    jobs::PlannedItem item;
    item.key = std::move(line.custom_id);
    // The key that pays travels with the item: the engine knows only the job's tenant.
    item.input =
        nlohmann::json{{"line", line.line}, {"body", std::move(line.body)}, {"key_id", who.key_id}};
    items.push_back(std::move(item));
  }
  return items;
}

std::string BatchWorkload::driver_hold(const nlohmann::json& spec) const {
  auto mode = batch_mode_of(spec);
  return mode && mode.value() != BatchMode::kSync ? std::string(kNativeDriver) : std::string();
}

std::string BatchWorkload::resource_key(const nlohmann::json& spec) const {
  std::string model = string_field(spec, "model");
  if (!model.empty()) return model;
  // Without a model in the spec, the lines name it (the tenant check comes in plan_for).
  auto input = read_input(spec, std::nullopt);
  return input ? input->model : std::string();
}

jobs::ItemResult BatchWorkload::run(const jobs::WorkItem& item, const jobs::RunContext& ctx) const {
  auto request = batch_item_request(item.input);
  if (!request) return jobs::item_failure(request.error());
  jobs::ChatCall call;
  call.tenant_id = item.tenant_id;
  call.key_id = item.input.value("key_id", std::int64_t{0});
  call.request = std::move(request.value());
  call.deadline = ctx.deadline;
  jobs::ChatCallResult reply = deps_.caller.call(call);
  if (!reply) {
    if (ctx.should_stop() && reply.error().code == ErrorCode::kUnavailable) {
      // Cut short by shutdown: handed back without spending an attempt.
      jobs::ItemResult r =
          jobs::ItemResult::failure(jobs::Outcome::kRateLimited, "interrupted", "worker stopping");
      r.retry_after = std::chrono::milliseconds(0);
      return r;
    }
    return jobs::item_failure(reply.error());
  }
  nlohmann::json answer = providers::openai::render_chat_response(reply->response);
  return jobs::ItemResult::success(
      success_line(item.item_id, item.key, reply->request_id, std::move(answer)),
      reply->cost_micros);
}

nlohmann::json BatchWorkload::finalize(const jobs::JobOutcome& outcome) const {
  const std::int64_t tenant_id = outcome.tenant_id;
  std::string output;
  std::string errors;
  store::ItemFilter filter;
  filter.job_id = outcome.job_id;
  filter.limit = 10000;
  for (;;) {
    auto page = deps_.store.list_items(filter);
    if (!page) {
      log::error("batch_output_failed",
                 {{"job_id", outcome.job_id}, {"error", page.error().message}});
      return nlohmann::json::object();
    }
    for (const store::JobItem& item : page.value()) {
      if (item.state == store::ItemState::kDone && item.result_json) {
        output.append(*item.result_json).push_back('\n');
      } else if (item.state == store::ItemState::kDead ||
                 item.state == store::ItemState::kCancelled) {
        errors.append(error_line(item).dump()).push_back('\n');
      }
    }
    if (page->size() < static_cast<std::size_t>(filter.limit)) break;
    filter.after_id = page->back().id;
  }
  nlohmann::json summary = {{"output_file_id", nullptr}, {"error_file_id", nullptr}};
  const auto write = [&](const std::string& id, const std::string& name, const std::string& text,
                         const char* field) {
    if (text.empty()) return;
    auto written = deps_.files.put(tenant_id, id, "batch_output", name, text);
    if (written) {
      summary[field] = id;
    } else {
      log::error("batch_output_failed",
                 {{"job_id", outcome.job_id}, {"file_id", id}, {"error", written.error().message}});
    }
  };
  const std::string prefix = batch_id(outcome.job_id);
  write(output_file_id(outcome.job_id), prefix + "_output.jsonl", output, "output_file_id");
  write(error_file_id(outcome.job_id), prefix + "_errors.jsonl", errors, "error_file_id");
  return summary;
}

}  // namespace osprey::batch
