#include "jobs/api/jobs_routes.h"

#include <charconv>

#include "core/json_parse.h"
#include "core/whole_file.h"
#include "net/event_stream.h"

namespace osprey::jobs {
namespace {

using net::Request;
using net::Response;
using net::Task;
using nlohmann::json;

Response error(const Error& e, const Request& request) {
  return Response::error(e, request.request_id);
}

Result<std::int64_t> job_id_of(const Request& request) {
  const std::string_view text = request.param("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return make_error(ErrorCode::kNotFound, "no job " + std::string(text));
  }
  return id;
}

Result<std::int64_t> int_param(const Request& request, const char* name, std::int64_t fallback) {
  auto value = request.query_param(name);
  if (!value || value->empty()) return fallback;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
  if (ec != std::errc() || end != value->data() + value->size()) {
    return make_error(ErrorCode::kInvalidRequest, std::string(name) + ": must be an integer");
  }
  return v;
}

json dead_letter_view(const store::JobItem& item) {
  auto input = parse_json(item.input_json);
  return {{"key", item.key},
          {"attempts", item.attempts},
          {"error", {{"code", item.last_error_code}, {"message", item.last_error}}},
          {"input", input.is_discarded() ? json() : input},
          {"finished_at", item.finished_at ? json(*item.finished_at) : json()}};
}

}  // namespace

void add_jobs_routes(net::Router& router, const JobsApi& api) {
  // Handlers copy `api` (references inside), so they never refer to this function's locals.

  router.post("/v1/jobs", api.authenticated([api](Request& request,
                                                  const gateway::Principal& who) -> Task<Response> {
    const std::string key(request.header("idempotency-key"));
    auto submitted =
        co_await api.workers.run([&] { return api.service.submit(who, request.body, key); });
    if (!submitted) co_return error(submitted.error(), request);
    Response response = Response::json(submitted->created ? 201 : 200,
                                       job_view(submitted->job, api.clock.wall_now()).dump());
    if (!submitted->created) response.headers.set("idempotent-replayed", "true");
    co_return response;
  }));

  router.get("/v1/jobs", api.authenticated([api](Request& request,
                                                 const gateway::Principal& who) -> Task<Response> {
    JobListQuery query;
    query.state = request.query_param("state").value_or("");
    query.workload = request.query_param("workload").value_or("");
    query.tag = request.query_param("tag").value_or("");
    auto limit = int_param(request, "limit", 100);
    if (!limit) co_return error(limit.error(), request);
    query.limit = static_cast<int>(std::clamp<std::int64_t>(limit.value(), -1, 100000));
    auto before = int_param(request, "before", 0);
    if (!before) co_return error(before.error(), request);
    if (before.value() > 0) query.before_id = before.value();
    auto jobs = co_await api.workers.run([&] { return api.service.list(who, query); });
    if (!jobs) co_return error(jobs.error(), request);
    json data = json::array();
    for (const store::Job& job : jobs.value()) data.push_back(job_view(job, api.clock.wall_now()));
    const bool has_more = static_cast<int>(jobs->size()) == query.limit;
    json body = {{"object", "list"}, {"data", std::move(data)}, {"has_more", has_more}};
    co_return Response::json(200, body.dump());
  }));

  router.get(
      "/v1/jobs/{id}",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto id = job_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t job_id = id.value();
        auto job = co_await api.workers.run([&] { return api.service.get(who, job_id); });
        if (!job) co_return error(job.error(), request);
        co_return Response::json(200, job_view(job.value(), api.clock.wall_now()).dump());
      }));

  router.post(
      "/v1/jobs/{id}/cancel",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto id = job_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t job_id = id.value();
        auto job = co_await api.workers.run([&] { return api.service.cancel(who, job_id); });
        if (!job) co_return error(job.error(), request);
        co_return Response::json(200, job_view(job.value(), api.clock.wall_now()).dump());
      }));

  router.post("/v1/jobs/{id}/redrive", api.authenticated([api](Request& request,
                                                               const gateway::Principal& who)
                                                             -> Task<Response> {
    auto id = job_id_of(request);
    if (!id) co_return error(id.error(), request);
    const std::int64_t job_id = id.value();
    auto done = co_await api.workers.run([&] { return api.service.redrive(who, job_id); });
    if (!done) co_return error(done.error(), request);
    json body = {{"redriven", done->second}, {"job", job_view(done->first, api.clock.wall_now())}};
    co_return Response::json(200, body.dump());
  }));

  router.get(
      "/v1/jobs/{id}/dead-letters",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto id = job_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t job_id = id.value();
        auto after = int_param(request, "after", 0);
        auto limit = int_param(request, "limit", 1000);
        if (!after) co_return error(after.error(), request);
        if (!limit) co_return error(limit.error(), request);
        const std::int64_t after_id = after.value();
        const int max = static_cast<int>(std::clamp<std::int64_t>(limit.value(), -1, 100000));
        auto page = co_await api.workers.run(
            [&] { return api.service.dead_letters(who, job_id, after_id, max); });
        if (!page) co_return error(page.error(), request);
        json data = json::array();
        for (const store::JobItem& item : page->items) data.push_back(dead_letter_view(item));
        json body = {{"object", "list"}, {"data", std::move(data)}, {"has_more", page->has_more}};
        if (page->has_more) body["next_after"] = page->items.back().id;
        co_return Response::json(200, body.dump());
      }));

  router.get(
      "/v1/jobs/{id}/results",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto id = job_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t job_id = id.value();
        auto content = co_await api.workers.run([&]() -> Result<std::string> {
          auto path = api.service.results_file(who, job_id);
          if (!path) return path.error();
          return read_whole_file(path.value());
        });
        if (!content) co_return error(content.error(), request);
        co_return Response::text(200, std::move(content.value()), "application/x-ndjson");
      }));

  router.get(
      "/v1/jobs/{id}/events",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto id = job_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t job_id = id.value();
        auto first = co_await api.workers.run([&] { return api.service.get(who, job_id); });
        if (!first) co_return error(first.error(), request);
        gateway::Principal caller = who;  // the stream outlives this handler's frame
        co_return Response::sse([api, caller, job_id](net::EventStream& stream) -> Task<void> {
          std::string last;
          for (;;) {
            auto job = co_await api.workers.run([&] { return api.service.get(caller, job_id); });
            if (!job) {
              const std::string message = json{{"error", job.error().message}}.dump();
              const std::string event = "error";
              co_await stream.send(message, event);
              co_return;
            }
            const bool finished = store::is_finished(job->state);
            std::string view = job_view(job.value(), api.clock.wall_now()).dump();
            if (view != last) {
              const std::string event = finished ? "done" : "progress";
              if (!co_await stream.send(view, event)) co_return;
              last = std::move(view);
            }
            if (finished) co_return;
            if (!co_await stream.sleep(api.events_interval)) co_return;
          }
        });
      }));
}

}  // namespace osprey::jobs
