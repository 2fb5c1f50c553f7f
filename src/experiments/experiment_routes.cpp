#include "experiments/experiment_routes.h"

#include <charconv>
#include <set>
#include <utility>

#include "core/json_parse.h"
#include "experiments/experiment_view.h"
#include "maze/maze_generator.h"
#include "net/event_stream.h"

namespace osprey::experiments {
namespace {

using net::Request;
using net::Response;
using net::Task;
using nlohmann::json;

constexpr std::string_view kConfigPrefix = "model_config.";

Response error(const Error& e, const Request& request) {
  return Response::error(e, request.request_id);
}

Error bad_param(const std::string& name, const std::string& message) {
  Error e = make_error(ErrorCode::kInvalidRequest, name + ": " + message);
  e.param = name;
  return e;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Result<std::int64_t> experiment_id_of(const Request& request) {
  const std::string_view text = request.param("id");
  auto id = parse_int(text);
  if (!id || *id <= 0)
    return make_error(ErrorCode::kNotFound, "no experiment " + std::string(text));
  return *id;
}

// A model_config filter value as JSON: numbers and booleans as such ("0.2", "true"), anything
// else as a string ("llama3", or "\"0.2\"" given as JSON to match the string).
std::string config_value_json(const std::string& text) {
  json value = parse_json(text);
  if (!value.is_discarded() && (value.is_number() || value.is_boolean() || value.is_string())) {
    return value.dump();
  }
  return json(text).dump();
}

// The list filters shared by GET /v1/experiments and /compare; `extra` names more parameters
// the caller reads itself.
Result<store::ExperimentFilter> parse_filter(const Request& request,
                                             const std::set<std::string>& extra) {
  store::ExperimentFilter f;
  for (const auto& [name, value] : request.query_params()) {
    if (name.starts_with(kConfigPrefix)) {
      f.config.push_back({name.substr(kConfigPrefix.size()), config_value_json(value)});
    } else if (name == "model") {
      f.model = value;
    } else if (name == "state") {
      auto state = store::parse_experiment_state(value);
      if (!state) {
        return bad_param(name, "must be queued, running, completed, failed or cancelled");
      }
      f.state = *state;
    } else if (name == "outcome") {
      f.outcome = value;
    } else if (name == "comment") {
      f.comment_contains = value;
    } else if (name == "archived") {
      f.include_archived = value == "true" || value == "1";
    } else if (name == "job_id" || name == "before" || name == "limit") {
      auto v = parse_int(value);
      if (!v) return bad_param(name, "must be an integer");
      if (name == "job_id") f.job_id = *v;
      if (name == "before") f.before_id = *v;
      if (name == "limit") {
        if (*v < 1 || *v > 1000) return bad_param(name, "must be in [1, 1000]");
        f.limit = static_cast<int>(*v);
      }
    } else if (!extra.contains(name)) {
      return bad_param(name, "unknown query parameter");
    }
  }
  return f;
}

// The stored actions after `after_step` as SSE payloads; run on the worker pool, so neither the
// store read nor the JSON of up to a page of actions lands on the I/O thread.
constexpr int kActionPage = 1000;

Result<std::vector<FeedAction>> stored_actions(ExperimentService& service,
                                               const gateway::Principal& who, std::int64_t id,
                                               std::int64_t after_step) {
  auto stored = service.actions(who, id, after_step, kActionPage);
  if (!stored) return stored.error();
  std::vector<FeedAction> out;
  out.reserve(stored->size());
  for (const store::ExperimentAction& a : stored.value()) {
    out.push_back({a.step_number, action_view(a).dump()});
  }
  return out;
}

json list_body(const std::vector<store::Experiment>& experiments, int limit) {
  json data = json::array();
  for (const store::Experiment& e : experiments) data.push_back(experiment_view(e));
  json body = {{"object", "list"},
               {"data", std::move(data)},
               {"has_more", static_cast<int>(experiments.size()) == limit}};
  if (!experiments.empty()) body["last_id"] = experiments.back().id;
  return body;
}

}  // namespace

void add_experiment_routes(net::Router& router, const ExperimentsApi& api) {
  // Handlers copy `api` (references inside), so they never refer to this function's locals.
  using gateway::Principal;

  router.post("/v1/experiments",
              api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
                auto created =
                    co_await api.workers.run([&] { return api.service.create(who, request.body); });
                if (!created) co_return error(created.error(), request);
                json data = json::array();
                for (const store::Experiment& e : created.value()) {
                  data.push_back(experiment_view(e));
                }
                json body = {{"object", "list"}, {"data", std::move(data)}};
                co_return Response::json(201, body.dump());
              }));

  router.get("/v1/experiments",
             api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
               auto filter = parse_filter(request, {});
               if (!filter) co_return error(filter.error(), request);
               const store::ExperimentFilter f = filter.value();
               auto list = co_await api.workers.run([&] { return api.service.list(who, f); });
               if (!list) co_return error(list.error(), request);
               co_return Response::json(200, list_body(list.value(), f.limit).dump());
             }));

  router.get(
      "/v1/experiments/compare",
      api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
        auto filter = parse_filter(request, {"group_by"});
        if (!filter) co_return error(filter.error(), request);
        store::ExperimentCompare compare;
        compare.filter = filter.value();
        compare.by_model = false;
        std::vector<std::string> group_by;
        const std::string groups = request.query_param("group_by").value_or("model");
        std::string_view rest = groups;
        while (!rest.empty()) {
          const std::size_t comma = rest.find(',');
          std::string name(rest.substr(0, comma));
          rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
          if (name.empty()) continue;
          group_by.push_back(name);
          if (name == "model") {
            compare.by_model = true;
          } else if (name.starts_with(kConfigPrefix)) {
            compare.config_keys.push_back(name.substr(kConfigPrefix.size()));
          } else {
            co_return error(bad_param("group_by", "\"" + name +
                                                      "\" is neither model nor "
                                                      "model_config.<key>"),
                            request);
          }
        }
        auto rows = co_await api.workers.run([&] { return api.service.compare(who, compare); });
        if (!rows) co_return error(rows.error(), request);
        json data = json::array();
        for (const store::ExperimentAggregate& row : rows.value()) {
          data.push_back(aggregate_view(row, compare.by_model, compare.config_keys));
        }
        json body = {{"object", "list"}, {"group_by", group_by}, {"data", std::move(data)}};
        co_return Response::json(200, body.dump());
      }));

  router.get("/v1/experiments/{id}",
             api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
               auto id = experiment_id_of(request);
               if (!id) co_return error(id.error(), request);
               const std::int64_t experiment_id = id.value();
               const bool with_actions = request.query_param("actions").value_or("") != "false";
               auto found = co_await api.workers.run(
                   [&] { return api.service.get(who, experiment_id, with_actions); });
               if (!found) co_return error(found.error(), request);
               json body = experiment_view(found->experiment, with_actions);
               if (with_actions) {
                 json actions = json::array();
                 for (const store::ExperimentAction& a : found->actions) {
                   actions.push_back(action_view(a));
                 }
                 body["actions"] = std::move(actions);
               }
               co_return Response::json(200, body.dump());
             }));

  router.post(
      "/v1/experiments/{id}/cancel",
      api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
        auto id = experiment_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t experiment_id = id.value();
        auto e = co_await api.workers.run([&] { return api.service.cancel(who, experiment_id); });
        if (!e) co_return error(e.error(), request);
        co_return Response::json(200, experiment_view(e.value()).dump());
      }));

  router.post(
      "/v1/experiments/{id}/replay",
      api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
        auto id = experiment_id_of(request);
        if (!id) co_return error(id.error(), request);
        const std::int64_t experiment_id = id.value();
        auto e = co_await api.workers.run([&] { return api.service.replay(who, experiment_id); });
        if (!e) co_return error(e.error(), request);
        json body = experiment_view(e.value());
        body["replay_of"] = experiment_id;
        co_return Response::json(201, body.dump());
      }));

  router.get("/v1/experiments/{id}/events",
             api.authenticated([api](Request& request, const Principal& who) -> Task<Response> {
               auto id = experiment_id_of(request);
               if (!id) co_return error(id.error(), request);
               const std::int64_t experiment_id = id.value();
               auto first = co_await api.workers.run(
                   [&] { return api.service.get_experiment(who, experiment_id); });
               if (!first) co_return error(first.error(), request);
               std::int64_t resume = 0;
               std::string last_id(request.header("last-event-id"));
               if (last_id.empty()) last_id = request.query_param("after").value_or("");
               if (!last_id.empty()) {
                 auto v = parse_int(last_id);
                 if (!v || *v < 0) {
                   co_return error(bad_param("Last-Event-ID", "must be a step number"), request);
                 }
                 resume = *v;
               }
               Principal caller = who;  // the stream outlives this handler's frame
               co_return Response::sse(
                   [api, caller, experiment_id, resume](net::EventStream& stream) -> Task<void> {
                     std::int64_t last = resume;
                     std::int64_t attempt = 0;
                     std::string last_view;
                     auto next_state_check = std::chrono::steady_clock::now();
                     const std::string action_event = "action";
                     for (;;) {
                       // New actions: from the live feed when it holds everything after `last` (the
                       // run is in this process), else from the store.
                       FeedRead feed = api.feed.since(experiment_id, last);
                       if (feed.known && attempt != 0 && feed.attempt != attempt) {
                         // A retry restarted the run at step 1: the viewer drops what it has.
                         const std::string reset_event = "reset";
                         const std::string reset_data = json{{"attempt", feed.attempt}}.dump();
                         if (!co_await stream.send(reset_data, reset_event)) co_return;
                         last = 0;
                         feed = api.feed.since(experiment_id, last);
                       }
                       if (feed.known) attempt = feed.attempt;
                       std::vector<FeedAction> fresh;
                       // A known feed with nothing published yet covers the viewer too (the
                       // attempt deleted the stored actions when it began), so the store is not
                       // read every poll while the first model call runs.
                       if (feed.known && (feed.first_step == 0 || feed.first_step <= last + 1)) {
                         fresh = std::move(feed.actions);
                       } else {
                         const std::int64_t after = last;
                         auto stored = co_await api.workers.run([&] {
                           return stored_actions(api.service, caller, experiment_id, after);
                         });
                         if (stored) fresh = std::move(stored.value());
                       }
                       for (const FeedAction& a : fresh) {
                         const std::string step = std::to_string(a.step);
                         if (!co_await stream.send(a.json, action_event, step)) co_return;
                         last = a.step;
                       }
                       if (fresh.size() >= static_cast<std::size_t>(kActionPage))
                         continue;  // catching up: no pause, no state check yet

                       const auto now = std::chrono::steady_clock::now();
                       if (now >= next_state_check || (feed.known && feed.ended)) {
                         next_state_check = now + std::chrono::seconds(1);
                         auto e = co_await api.workers.run(
                             [&] { return api.service.get_experiment(caller, experiment_id); });
                         if (!e) {
                           const std::string message = json{{"error", e.error().message}}.dump();
                           const std::string event = "error";
                           co_await stream.send(message, event);
                           co_return;
                         }
                         if (store::is_finished(e->state)) {
                           // The store has every action of a finished run: send the rest, then
                           // `done`.
                           for (;;) {
                             const std::int64_t after = last;
                             auto rest = co_await api.workers.run([&] {
                               return stored_actions(api.service, caller, experiment_id, after);
                             });
                             if (!rest || rest->empty()) break;
                             for (const FeedAction& a : rest.value()) {
                               const std::string step = std::to_string(a.step);
                               if (!co_await stream.send(a.json, action_event, step)) co_return;
                               last = a.step;
                             }
                           }
                           const std::string done = experiment_view(e.value()).dump();
                           const std::string done_event = "done";
                           co_await stream.send(done, done_event);
                           co_return;
                         }
                         std::string view = experiment_view(e.value()).dump();
                         if (view != last_view) {
                           const std::string state_event = "state";
                           if (!co_await stream.send(view, state_event)) co_return;
                           last_view = std::move(view);
                         }
                       }
                       if (!co_await stream.sleep(api.events_poll)) co_return;
                     }
                   });
             }));

  router.get("/v1/mazes", api.authenticated([api](Request& request,
                                                  const Principal& who) -> Task<Response> {
    (void)who;
    (void)request;
    auto mazes = co_await api.workers.run([&] { return api.service.mazes(); });
    json data = json::array();
    for (const MazeEntry& m : mazes) {
      data.push_back({{"id", m.id},
                      {"object", "maze"},
                      {"name", m.name},
                      {"width", m.width},
                      {"height", m.height}});
    }
    json generators = json::array();
    for (std::string_view kind : maze::generator_kinds()) generators.push_back(kind);
    json body = {
        {"object", "list"}, {"data", std::move(data)}, {"generators", std::move(generators)}};
    co_return Response::json(200, body.dump());
  }));
}

}  // namespace osprey::experiments
