#include <algorithm>
#include <charconv>

#include "batch/api/batch_routes.h"
#include "batch/api/route_params.h"
#include "batch/batch_output.h"
#include "batch/batch_workload.h"
#include "core/json_parse.h"
#include "jobs/timestamp.h"

namespace osprey::batch {
namespace {

using net::Request;
using net::Response;
using net::Task;
using nlohmann::json;

constexpr std::int64_t kWindowSeconds = 24 * 3600;  // completion_window "24h"

Error no_such_batch(std::string_view id) {
  return make_error(ErrorCode::kNotFound, "No such Batch object: " + std::string(id));
}

// "batch_17" → job 17.
Result<std::int64_t> job_id_of(std::string_view batch) {
  constexpr std::string_view kPrefix = "batch_";
  if (batch.substr(0, kPrefix.size()) != kPrefix) return no_such_batch(batch);
  const std::string_view digits = batch.substr(kPrefix.size());
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) {
    return no_such_batch(batch);
  }
  return id;
}

json unix_time(const std::optional<std::string>& iso) {
  if (!iso) return nullptr;
  const auto at = jobs::parse_timestamp(*iso);
  if (!at) return nullptr;
  return std::chrono::duration_cast<std::chrono::seconds>(at->time_since_epoch()).count();
}

std::string status_of(const store::Job& job) {
  if (job.state == store::JobState::kCancelled) return "cancelled";
  if (store::is_finished(job.state)) return "completed";  // request failures are in the errors
  if (job.cancel_requested) return "cancelling";
  if (job.counts.pending() == 0) return "finalizing";
  if (job.state == store::JobState::kQueued) return "validating";
  return "in_progress";
}

// A job of the batch workload owned by the caller, or 404 in OpenAI's words.
Result<store::Job> owned_batch(jobs::JobService& service, const gateway::Principal& who,
                               std::string_view batch) {
  auto id = job_id_of(batch);
  if (!id) return id.error();
  auto job = service.get(who, id.value());
  if (!job) return job.error().code == ErrorCode::kNotFound ? no_such_batch(batch) : job.error();
  if (job->workload != kBatchWorkload) return no_such_batch(batch);
  return job;
}

// POST /v1/batches body → the job's spec. Unknown fields are refused (a typo never silently
// changes what runs).
Result<json> spec_of(const std::string& body_text) {
  const json body = parse_json(body_text);
  if (body.is_discarded()) {
    return make_error(ErrorCode::kInvalidRequest, "body: " + json_refusal(body_text));
  }
  if (!body.is_object()) {
    return make_error(ErrorCode::kInvalidRequest, "body: must be a JSON object");
  }
  static const char* kKnown[] = {"input_file_id", "endpoint", "completion_window",
                                 "metadata",      "mode",     "model"};
  for (const auto& [key, value] : body.items()) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; })) {
      return invalid_param(key, "unknown field");
    }
  }
  for (const char* required : {"input_file_id", "endpoint", "completion_window"}) {
    if (!body.contains(required)) {
      return invalid_param(required, "required");
    }
  }
  json spec = body;
  if (spec.contains("metadata") && spec["metadata"].is_null()) spec.erase("metadata");
  return spec;
}

}  // namespace

json batch_view(const store::Job& job, const FileStore& files) {
  const json spec = parse_json(job.spec_json);
  const auto field = [&spec](const char* name, json fallback) {
    return spec.is_object() && spec.contains(name) ? spec[name] : fallback;
  };
  const auto file_if_present = [&](const std::string& id) -> json {
    auto found = files.get(job.tenant_id, id);
    return found ? json(id) : json();
  };
  const bool finished = store::is_finished(job.state);
  const json created = unix_time(job.created_at);
  const json finished_at = unix_time(job.finished_at);
  const bool cancelled = job.state == store::JobState::kCancelled;
  return {
      {"id", batch_id(job.id)},
      {"object", "batch"},
      {"endpoint", field("endpoint", std::string(kChatCompletionsEndpoint))},
      {"errors", nullptr},
      {"input_file_id", field("input_file_id", nullptr)},
      {"completion_window", field("completion_window", "24h")},
      {"status", status_of(job)},
      {"output_file_id", finished ? file_if_present(output_file_id(job.id)) : json()},
      {"error_file_id", finished ? file_if_present(error_file_id(job.id)) : json()},
      {"created_at", created},
      {"in_progress_at", unix_time(job.started_at)},
      {"expires_at",
       created.is_number() ? json(created.get<std::int64_t>() + kWindowSeconds) : json()},
      {"finalizing_at", nullptr},
      {"completed_at", finished && !cancelled ? finished_at : json()},
      {"failed_at", nullptr},
      {"expired_at", nullptr},
      {"cancelling_at", nullptr},
      {"cancelled_at", cancelled ? finished_at : json()},
      {"request_counts",
       {{"total", job.counts.total}, {"completed", job.counts.done}, {"failed", job.counts.dead}}},
      {"metadata", field("metadata", nullptr)},
      // Osprey's extensions: how it runs, the model it uses and the job underneath.
      {"mode", field("mode", "sync")},
      {"model", job.resource},
      {"job_id", job.id},
  };
}

void add_batches_routes(net::Router& router, const BatchApi& api) {
  router.post(
      "/v1/batches",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto spec = spec_of(request.body);
        if (!spec) co_return error_response(spec.error(), request);
        const std::string submit_body =
            json{{"workload", std::string(kBatchWorkload)}, {"spec", spec.value()}}.dump();
        const std::string key(request.header("idempotency-key"));
        auto view = co_await api.workers.run([&]() -> Result<json> {
          auto submitted = api.service.submit(who, submit_body, key);
          if (!submitted) return submitted.error();
          return batch_view(submitted->job, api.files);
        });
        if (!view) co_return error_response(view.error(), request);
        co_return Response::json(200, view->dump());
      }));

  router.get(
      "/v1/batches",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        jobs::JobListQuery query;
        query.workload = std::string(kBatchWorkload);
        auto limit = limit_param(request, 20, 100);
        if (!limit) co_return error_response(limit.error(), request);
        query.limit = limit.value();
        if (auto after = request.query_param("after"); after && !after->empty()) {
          auto id = job_id_of(*after);
          if (!id) co_return error_response(id.error(), request);
          query.before_id = id.value();  // newest first: the next page is older
        }
        auto page = co_await api.workers.run([&]() -> Result<json> {
          auto jobs = api.service.list(who, query);
          if (!jobs) return jobs.error();
          json data = json::array();
          for (const store::Job& job : jobs.value()) data.push_back(batch_view(job, api.files));
          return openai_list(std::move(data), static_cast<int>(jobs->size()) == query.limit);
        });
        if (!page) co_return error_response(page.error(), request);
        co_return Response::json(200, page->dump());
      }));

  router.get(
      "/v1/batches/{id}",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        const std::string id(request.param("id"));
        auto view = co_await api.workers.run([&]() -> Result<json> {
          auto job = owned_batch(api.service, who, id);
          if (!job) return job.error();
          return batch_view(job.value(), api.files);
        });
        if (!view) co_return error_response(view.error(), request);
        co_return Response::json(200, view->dump());
      }));

  router.post(
      "/v1/batches/{id}/cancel",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        const std::string id(request.param("id"));
        auto view = co_await api.workers.run([&]() -> Result<json> {
          auto job = owned_batch(api.service, who, id);
          if (!job) return job.error();
          auto cancelled = api.service.cancel(who, job->id);
          if (!cancelled) return cancelled.error();
          return batch_view(cancelled.value(), api.files);
        });
        if (!view) co_return error_response(view.error(), request);
        co_return Response::json(200, view->dump());
      }));
}

}  // namespace osprey::batch
