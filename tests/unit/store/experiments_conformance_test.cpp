// Maze experiments part of the Store conformance suite: creation (a sweep at once), updates
// and attempts, filters (model, any model_config field, outcome, comment, paging), actions
// (batches, idempotent replay, reset per attempt, live reads), compare, archive and delete,
// and tenant scoping.
#include <nlohmann/json.hpp>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

NewExperiment make_experiment(std::int64_t tenant, const std::string& model, double temperature,
                              const std::string& comment = "") {
  NewExperiment e;
  e.tenant_id = tenant;
  e.maze_ref = "maze-01";
  e.maze_json = R"({"name":"maze-01","width":2,"height":1,"grid_data":[[0,2]]})";
  e.start_x = 2;
  e.start_y = 2;
  e.agent = "llm";
  nlohmann::json config = {{"model", model}, {"temperature", temperature}, {"num_ctx", 4096}};
  e.model_config_json = config.dump();
  e.comment = comment;
  e.seed = 42;
  return e;
}

ExperimentAction make_action(std::int64_t experiment, std::int64_t step) {
  ExperimentAction a;
  a.experiment_id = experiment;
  a.step_number = step;
  a.turn_number = (step + 1) / 2;
  a.action_type = step % 3 == 0 ? "move_east" : "move_north";
  a.reasoning = "step " + std::to_string(step) + "\twith a tab,\na newline and a \\ backslash";
  a.from_x = static_cast<int>(step);
  a.from_y = 5;
  a.to_x = static_cast<int>(step) + 1;
  a.to_y = 5;
  a.success = step % 2 == 0;
  a.tiles_seen_json = R"([{"x":1,"y":2,"t":0}])";
  a.tokens_in = 100 + step;
  a.tokens_out = 7;
  a.cost_micros = 3;
  a.model_ms = 250;
  a.elapsed_ms = step * 10;
  return a;
}

std::vector<ExperimentAction> make_actions(std::int64_t experiment, std::int64_t first,
                                           std::int64_t last) {
  std::vector<ExperimentAction> actions;
  for (std::int64_t step = first; step <= last; ++step) {
    actions.push_back(make_action(experiment, step));
  }
  return actions;
}

ExperimentMetrics make_metrics(bool success, std::int64_t moves, std::int64_t optimal) {
  ExperimentMetrics m;
  m.success = success;
  m.duration_ms = 1000 + moves;
  m.turns = moves / 2;
  m.actions = moves + 3;
  m.moves = moves;
  m.optimal_moves = optimal;
  m.wall_collisions = 2;
  m.revisits = 4;
  m.loops = 1;
  m.invalid_tool_calls = 1;
  m.missing_tool_calls = 0;
  m.tokens_in = 5000;
  m.tokens_out = 300;
  m.cost_micros = 1234;
  m.extra_json = R"({"cells_seen":40})";
  return m;
}

class ExperimentsTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (HasFatalFailure()) return;
    migrate();
    tenant_a_ = store_->create_tenant("a", "{}")->id;
    tenant_b_ = store_->create_tenant("b", "{}")->id;
  }

  std::vector<std::int64_t> create(const std::vector<NewExperiment>& experiments) {
    auto ids = store_->create_experiments(experiments);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return ids.ok() ? *ids : std::vector<std::int64_t>{};
  }

  std::int64_t create_one(const NewExperiment& e) {
    auto ids = create({e});
    return ids.empty() ? 0 : ids.front();
  }

  Experiment update(const ExperimentUpdate& u) {
    auto updated = store_->update_experiment(u);
    EXPECT_TRUE(updated.ok()) << updated.error().message;
    return updated.ok() ? *updated : Experiment{};
  }

  std::int64_t append(const std::vector<ExperimentAction>& actions) {
    auto added = store_->append_actions(actions);
    EXPECT_TRUE(added.ok()) << added.error().message;
    return added.ok() ? *added : -1;
  }

  std::vector<ExperimentAction> actions_of(std::int64_t id, std::int64_t after = 0,
                                           int limit = 100000) {
    auto actions = store_->list_actions(tenant_a_, id, after, limit);
    EXPECT_TRUE(actions.ok()) << actions.error().message;
    return actions.ok() ? *actions : std::vector<ExperimentAction>{};
  }

  std::vector<std::int64_t> ids_of(const ExperimentFilter& filter) {
    auto listed = store_->list_experiments(filter);
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    std::vector<std::int64_t> ids;
    if (listed.ok()) {
      for (const Experiment& e : *listed) ids.push_back(e.id);
    }
    return ids;
  }

  std::int64_t tenant_a_ = 0;
  std::int64_t tenant_b_ = 0;
};

TEST_P(ExperimentsTest, CreatesASweepInInputOrderAndReadsItBack) {
  std::vector<NewExperiment> sweep;
  for (int i = 0; i < 5; ++i)
    sweep.push_back(make_experiment(tenant_a_, "m" + std::to_string(i), 0.1 * i));
  sweep[3].job_id = 0;
  const std::vector<std::int64_t> ids = create(sweep);
  ASSERT_EQ(ids.size(), 5u);
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);

  auto got = store_->get_experiment(tenant_a_, ids[2]);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  const Experiment& e = **got;
  EXPECT_EQ(e.tenant_id, tenant_a_);
  EXPECT_EQ(e.model, "m2");
  EXPECT_EQ(nlohmann::json::parse(e.model_config_json),
            nlohmann::json::parse(sweep[2].model_config_json));
  EXPECT_EQ(nlohmann::json::parse(e.maze_json), nlohmann::json::parse(sweep[2].maze_json));
  EXPECT_EQ(e.maze_ref, "maze-01");
  EXPECT_EQ(e.agent, "llm");
  EXPECT_EQ(e.start_x, 2);
  EXPECT_EQ(e.seed, 42);
  EXPECT_EQ(e.state, ExperimentState::kQueued);
  EXPECT_EQ(e.attempts, 0);
  EXPECT_FALSE(e.job_id.has_value());
  EXPECT_FALSE(e.metrics.has_value());
  EXPECT_EQ(e.created_at.size(), 24u) << e.created_at;
  EXPECT_FALSE(e.started_at.has_value());
}

TEST_P(ExperimentsTest, RejectsBadInputAndUnknownTenants) {
  NewExperiment bad = make_experiment(tenant_a_, "m", 0.2);
  bad.model_config_json = "[1]";
  EXPECT_EQ(store_->create_experiments({&bad, 1}).error().code, ErrorCode::kInvalidRequest);
  bad = make_experiment(tenant_a_, "m", 0.2);
  bad.model_config_json = R"({"model":7})";
  EXPECT_EQ(store_->create_experiments({&bad, 1}).error().code, ErrorCode::kInvalidRequest);
  bad = make_experiment(tenant_a_, "m", 0.2);
  bad.agent = "";
  EXPECT_EQ(store_->create_experiments({&bad, 1}).error().code, ErrorCode::kInvalidRequest);
  NewExperiment orphan = make_experiment(999999, "m", 0.2);
  EXPECT_EQ(store_->create_experiments({&orphan, 1}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->create_experiments({}).error().code, ErrorCode::kInvalidRequest);

  ExperimentFilter filter;
  filter.config = {{"temperature", "[1]"}};
  EXPECT_EQ(store_->list_experiments(filter).error().code, ErrorCode::kInvalidRequest);
  filter.config = {{"bad key'", "1"}};
  EXPECT_EQ(store_->list_experiments(filter).error().code, ErrorCode::kInvalidRequest);
  filter.config = {{"temperature", "1"}, {"temperature", "2"}};
  EXPECT_EQ(store_->list_experiments(filter).error().code, ErrorCode::kInvalidRequest);

  ExperimentAction action = make_action(1, 0);
  EXPECT_EQ(store_->append_actions({&action, 1}).error().code, ErrorCode::kInvalidRequest);
  action = make_action(999999, 1);
  EXPECT_EQ(store_->append_actions({&action, 1}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->update_experiment(ExperimentUpdate{.id = 999999}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(ExperimentsTest, AttemptsAndFinishSetStateTimesAndMetrics) {
  const std::int64_t id = create_one(make_experiment(tenant_a_, "m", 0.2));
  Experiment running = update({.id = id, .state = ExperimentState::kRunning});
  EXPECT_EQ(running.state, ExperimentState::kRunning);
  EXPECT_EQ(running.attempts, 1);
  ASSERT_TRUE(running.started_at.has_value());
  EXPECT_FALSE(running.finished_at.has_value());

  Experiment done = update({.id = id,
                            .state = ExperimentState::kCompleted,
                            .outcome = "goal_found",
                            .metrics = make_metrics(true, 40, 30)});
  EXPECT_EQ(done.state, ExperimentState::kCompleted);
  EXPECT_EQ(done.outcome, "goal_found");
  ASSERT_TRUE(done.finished_at.has_value());
  EXPECT_EQ(done.started_at, running.started_at);
  ASSERT_TRUE(done.metrics.has_value());
  EXPECT_EQ(done.metrics->moves, 40);
  EXPECT_EQ(done.metrics->optimal_moves, 30);
  EXPECT_TRUE(done.metrics->success);
  EXPECT_EQ(nlohmann::json::parse(done.metrics->extra_json)["cells_seen"], 40);

  // A retry: running again counts an attempt, keeps the first start, clears finished_at.
  Experiment again = update({.id = id, .state = ExperimentState::kRunning, .reset_actions = true});
  EXPECT_EQ(again.attempts, 2);
  EXPECT_EQ(again.started_at, running.started_at);
  EXPECT_FALSE(again.finished_at.has_value());
  Experiment failed =
      update({.id = id, .state = ExperimentState::kFailed, .error = "upstream down"});
  EXPECT_EQ(failed.error, "upstream down");
  EXPECT_EQ(failed.outcome, "goal_found");  // unset fields keep their value

  ASSERT_TRUE(store_->set_experiment_job(id, 77, "exp-1").ok());
  auto by_item = store_->find_experiment_by_item(77, "exp-1");
  ASSERT_TRUE(by_item.ok()) << by_item.error().message;
  ASSERT_TRUE(by_item->has_value());
  EXPECT_EQ((*by_item)->id, id);
  EXPECT_EQ((*by_item)->job_id, std::optional<std::int64_t>(77));
  EXPECT_FALSE(store_->find_experiment_by_item(77, "exp-2")->has_value());
}

TEST_P(ExperimentsTest, AppendsBatchesAndReadsThemInStepOrder) {
  const std::int64_t id = create_one(make_experiment(tenant_a_, "m", 0.2));
  const std::int64_t other = create_one(make_experiment(tenant_a_, "m", 0.2));
  EXPECT_EQ(append(make_actions(id, 101, 250)), 150);
  std::vector<ExperimentAction> mixed = make_actions(id, 1, 100);
  for (const ExperimentAction& a : make_actions(other, 1, 10)) mixed.push_back(a);
  EXPECT_EQ(append(mixed), 110);

  const std::vector<ExperimentAction> all = actions_of(id);
  ASSERT_EQ(all.size(), 250u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], make_action(id, static_cast<std::int64_t>(i) + 1)) << "step " << i + 1;
  }
  // Live viewing: only what came after the last step seen, and at most `limit`.
  const std::vector<ExperimentAction> since = actions_of(id, 240);
  ASSERT_EQ(since.size(), 10u);
  EXPECT_EQ(since.front().step_number, 241);
  EXPECT_EQ(actions_of(id, 0, 5).back().step_number, 5);
  EXPECT_TRUE(actions_of(id, 250).empty());
  EXPECT_EQ(actions_of(other).size(), 10u);
}

TEST_P(ExperimentsTest, AReplayedBatchAddsNothingAndKeepsTheStoredRows) {
  const std::int64_t id = create_one(make_experiment(tenant_a_, "m", 0.2));
  EXPECT_EQ(append(make_actions(id, 1, 50)), 50);
  EXPECT_EQ(append(make_actions(id, 1, 50)), 0);
  std::vector<ExperimentAction> overlapping = make_actions(id, 40, 60);
  overlapping.front().reasoning = "a different text for a stored step";
  EXPECT_EQ(append(overlapping), 10);
  const std::vector<ExperimentAction> all = actions_of(id);
  ASSERT_EQ(all.size(), 60u);
  EXPECT_EQ(all[39], make_action(id, 40));
}

TEST_P(ExperimentsTest, ResetAtAttemptStartDropsTheFailedAttemptsActions) {
  const std::int64_t id = create_one(make_experiment(tenant_a_, "m", 0.2));
  EXPECT_EQ(append(make_actions(id, 1, 30)), 30);
  update({.id = id, .state = ExperimentState::kRunning, .reset_actions = true});
  EXPECT_TRUE(actions_of(id).empty());
  EXPECT_EQ(append(make_actions(id, 1, 5)), 5);
  EXPECT_EQ(actions_of(id).size(), 5u);
}

TEST_P(ExperimentsTest, FiltersByModelConfigFieldsOutcomeAndComment) {
  const std::int64_t a = create_one(make_experiment(tenant_a_, "llama3", 0.2, "Baseline RUN"));
  const std::int64_t b = create_one(make_experiment(tenant_a_, "llama3", 0.7, "hot run"));
  const std::int64_t c = create_one(make_experiment(tenant_a_, "qwen", 0.2, "other"));
  NewExperiment flagged = make_experiment(tenant_a_, "qwen", 0.2);
  flagged.model_config_json =
      R"({"model":"qwen","temperature":"0.2","see_through_walls":true,"num_ctx":1})";
  const std::int64_t d = create_one(flagged);
  create_one(make_experiment(tenant_b_, "llama3", 0.2));
  update({.id = c, .state = ExperimentState::kCompleted, .outcome = "max_moves"});

  ExperimentFilter filter;
  filter.tenant_id = tenant_a_;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d, c, b, a}));
  filter.model = "llama3";
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{b, a}));
  filter.model = "";
  filter.config = {{"temperature", "0.2"}};  // the number, not the string "0.2"
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{c, a}));
  filter.config = {{"temperature", "0.20"}};
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{c, a}));
  filter.config = {{"temperature", R"("0.2")"}};
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d}));
  filter.config = {{"see_through_walls", "true"}};
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d}));
  filter.config = {{"num_ctx", "true"}};  // a boolean never equals a number
  EXPECT_TRUE(ids_of(filter).empty());
  filter.config = {{"num_ctx", "4096"}, {"temperature", "0.7"}};
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{b}));
  filter.config = {{"model", R"("qwen")"}};
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d, c}));
  filter.config.clear();
  filter.outcome = "max_moves";
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{c}));
  filter.outcome.clear();
  filter.state = ExperimentState::kQueued;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d, b, a}));
  filter.state.reset();
  filter.comment_contains = "run";
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{b, a}));
  filter.comment_contains = "baseline";
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{a}));
  filter.comment_contains.clear();

  // Keyset paging, newest first.
  filter.limit = 2;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{d, c}));
  filter.before_id = c;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{b, a}));

  // Lists leave the maze out; all tenants for admins.
  auto listed = store_->list_experiments(ExperimentFilter{});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed->size(), 5u);
  EXPECT_TRUE(listed->front().maze_json.empty());
}

TEST_P(ExperimentsTest, TenantsOnlySeeTheirOwnExperiments) {
  const std::int64_t id = create_one(make_experiment(tenant_a_, "m", 0.2));
  append(make_actions(id, 1, 3));
  EXPECT_FALSE(store_->get_experiment(tenant_b_, id)->has_value());
  EXPECT_TRUE(store_->get_experiment(std::nullopt, id)->has_value());
  EXPECT_EQ(store_->list_actions(tenant_b_, id, 0, 100).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_actions(std::nullopt, id, 0, 100)->size(), 3u);
  EXPECT_EQ(store_->archive_experiment(tenant_b_, id, true).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_experiment(tenant_b_, id).error().code, ErrorCode::kNotFound);
  ExperimentFilter filter;
  filter.tenant_id = tenant_b_;
  EXPECT_TRUE(ids_of(filter).empty());
  EXPECT_TRUE(store_->get_experiment(tenant_a_, id)->has_value());
}

TEST_P(ExperimentsTest, ArchiveHidesAndDeleteRemovesActionsToo) {
  const std::int64_t kept = create_one(make_experiment(tenant_a_, "m", 0.2));
  const std::int64_t gone = create_one(make_experiment(tenant_a_, "m", 0.2));
  append(make_actions(gone, 1, 20));
  append(make_actions(kept, 1, 5));
  ASSERT_TRUE(store_->archive_experiment(tenant_a_, kept, true).ok());
  ExperimentFilter filter;
  filter.tenant_id = tenant_a_;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{gone}));
  filter.include_archived = true;
  EXPECT_EQ(ids_of(filter), (std::vector<std::int64_t>{gone, kept}));
  EXPECT_TRUE((*store_->get_experiment(tenant_a_, kept))->archived);

  ASSERT_TRUE(store_->delete_experiment(tenant_a_, gone).ok());
  EXPECT_FALSE(store_->get_experiment(tenant_a_, gone)->has_value());
  EXPECT_EQ(store_->list_actions(std::nullopt, gone, 0, 100).error().code, ErrorCode::kNotFound);
  auto rows = db_->query("SELECT count(*) FROM experiment_actions");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(*rows, "5");
  EXPECT_EQ(store_->delete_experiment(tenant_a_, gone).error().code, ErrorCode::kNotFound);
}

TEST_P(ExperimentsTest, ComparesMetricsByModelAndConfigFields) {
  const std::int64_t a1 = create_one(make_experiment(tenant_a_, "llama3", 0.2));
  const std::int64_t a2 = create_one(make_experiment(tenant_a_, "llama3", 0.2));
  const std::int64_t a3 = create_one(make_experiment(tenant_a_, "llama3", 0.7));
  const std::int64_t q1 = create_one(make_experiment(tenant_a_, "qwen", 0.2));
  create_one(make_experiment(tenant_a_, "qwen", 0.2));    // still queued: counted, not measured
  create_one(make_experiment(tenant_b_, "llama3", 0.2));  // another tenant
  update({.id = a1, .state = ExperimentState::kCompleted, .metrics = make_metrics(true, 40, 30)});
  update({.id = a2, .state = ExperimentState::kCompleted, .metrics = make_metrics(false, 60, -1)});
  update({.id = a3, .state = ExperimentState::kCompleted, .metrics = make_metrics(true, 50, 45)});
  update({.id = q1, .state = ExperimentState::kCompleted, .metrics = make_metrics(true, 10, 10)});

  ExperimentCompare compare;
  compare.filter.tenant_id = tenant_a_;
  auto by_model = store_->compare_experiments(compare);
  ASSERT_TRUE(by_model.ok()) << by_model.error().message;
  ASSERT_EQ(by_model->size(), 2u);
  const ExperimentAggregate& llama = (*by_model)[0];
  EXPECT_EQ(llama.model, "llama3");
  EXPECT_EQ(llama.experiments, 3);
  EXPECT_EQ(llama.measured, 3);
  EXPECT_EQ(llama.succeeded, 2);
  EXPECT_EQ(llama.moves, 150);
  EXPECT_EQ(llama.optimal_moves, 75);
  EXPECT_EQ(llama.with_optimal, 2);
  EXPECT_EQ(llama.duration_ms, 3150);
  EXPECT_EQ(llama.cost_micros, 3 * 1234);
  EXPECT_EQ(llama.wall_collisions, 6);
  const ExperimentAggregate& qwen = (*by_model)[1];
  EXPECT_EQ(qwen.model, "qwen");
  EXPECT_EQ(qwen.experiments, 2);
  EXPECT_EQ(qwen.measured, 1);
  EXPECT_EQ(qwen.succeeded, 1);

  compare.config_keys = {"temperature"};
  auto by_both = store_->compare_experiments(compare);
  ASSERT_TRUE(by_both.ok()) << by_both.error().message;
  ASSERT_EQ(by_both->size(), 3u);
  EXPECT_EQ((*by_both)[0].model, "llama3");
  EXPECT_EQ((*by_both)[0].config_values, std::vector<std::string>{"0.2"});
  EXPECT_EQ((*by_both)[0].experiments, 2);
  EXPECT_EQ((*by_both)[1].config_values, std::vector<std::string>{"0.7"});
  EXPECT_EQ((*by_both)[2].model, "qwen");

  compare.by_model = false;
  compare.config_keys = {"temperature", "top_p"};
  compare.filter.model = "llama3";
  auto by_config = store_->compare_experiments(compare);
  ASSERT_TRUE(by_config.ok()) << by_config.error().message;
  ASSERT_EQ(by_config->size(), 2u);
  EXPECT_EQ((*by_config)[0].model, "");
  EXPECT_EQ((*by_config)[0].config_values, (std::vector<std::string>{"0.2", "null"}));
  EXPECT_EQ((*by_config)[0].succeeded, 1);

  compare.config_keys.clear();
  compare.filter.model = "nobody";
  auto none = store_->compare_experiments(compare);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ExperimentsTest, ::testing::ValuesIn(store_backends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace osprey::store::testing
