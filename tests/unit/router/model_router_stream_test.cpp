// ModelRouter::stream: retries until the first event, never after it.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "unit/router/router_fixture.h"

namespace osprey::router::testing {
namespace {

class ModelRouterStream : public RouterFixture {
 protected:
  providers::UpstreamResult<RoutedStream> open(const std::string& model_name) {
    providers::ChatRequest r = request(model_name);
    r.stream = true;
    return run(router->stream(std::move(r), context()));
  }

  // Reads every event; returns the text and the error that ended the stream, if any.
  std::pair<std::string, std::optional<providers::UpstreamError>> drain(RoutedStream& s) {
    std::string text;
    while (true) {
      auto next = run(s.events->next());
      if (!next.ok()) return {text, next.error()};
      if (!next->has_value()) return {text, std::nullopt};
      if (const auto* delta = std::get_if<providers::TextDeltaEvent>(&**next)) text += delta->text;
    }
  }
};

TEST_F(ModelRouterStream, ReplaysTheFirstEventThenDelegates) {
  load({model("m", {deployment("a")})});
  auto s = open("m");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->deployment, "a");
  auto first = run(s->events->next());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_TRUE(std::holds_alternative<providers::MessageStartEvent>(**first));
  auto [text, error] = drain(*s);
  EXPECT_EQ(text, "hello from a");
  EXPECT_FALSE(error.has_value());
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", "a", "success"}),
            1);
  EXPECT_EQ(counter("osprey_upstream_tokens_total", {"model", "deployment", "direction"},
                    {"m", "a", "out"}),
            5);
  EXPECT_EQ(
      metrics
          .histogram("osprey_upstream_time_to_first_token_seconds", "", {"model", "deployment"}, {})
          .with({"m", "a"})
          .count(),
      1u);
}

TEST_F(ModelRouterStream, FailureBeforeTheFirstEventIsRetriedElsewhere) {
  load({model("m", {deployment("a"), deployment("b")})});
  Outcome cut_early;
  cut_early.stream_error = http_error(502);  // opens fine, fails before any event
  backend.next(cut_early);
  auto s = open("m");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->attempts, 2);
  ASSERT_EQ(backend.order().size(), 2u);
  EXPECT_NE(backend.order()[0], backend.order()[1]);
  EXPECT_EQ(s->deployment, backend.order()[1]);
  auto [text, error] = drain(*s);
  EXPECT_EQ(text, "hello from " + s->deployment);
  EXPECT_FALSE(error.has_value());
}

TEST_F(ModelRouterStream, OpenErrorIsRetried) {
  load({model("m", {deployment("a")})});
  backend.next(Outcome{http_error(503)});
  auto s = open("m");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->attempts, 2);
  EXPECT_EQ(backend.calls("a"), 2);
}

TEST_F(ModelRouterStream, FailureAfterTheFirstEventSurfacesFromTheReader) {
  load({model("m", {deployment("a"), deployment("b")},
              {{"breaker", {{"consecutive_failures", 1}}}})});
  Outcome cut_late;
  cut_late.events = {providers::MessageStartEvent{"s", "m"}, providers::TextDeltaEvent{0, "par"}};
  cut_late.stream_error = http_error(502);
  backend.next(cut_late);
  auto s = open("m");
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string served = s->deployment;
  auto [text, error] = drain(*s);
  EXPECT_EQ(text, "par");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->http_status, 502);
  EXPECT_EQ(backend.order().size(), 1u);  // no retry once the caller had an event
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", served, "error"}),
            1);
  EXPECT_EQ(counter("osprey_upstream_errors_total", {"model", "deployment", "code"},
                    {"m", served, "upstream_error"}),
            1);
  // The mid-stream failure counted against the deployment: its breaker (1 failure) opened.
  for (int i = 0; i < 5; ++i) {
    auto next = open("m");
    ASSERT_TRUE(next.ok());
    EXPECT_NE(next->deployment, served);
    drain(*next);
  }
}

// A stream that breaks after the breaker has moved on (opened, then closed again by a good
// trial) says nothing about the deployment now, as a late permit outcome would not.
TEST_F(ModelRouterStream, AStreamThatBreaksAfterTheBreakerMovedOnDoesNotReopenIt) {
  load({model("m", {deployment("a")},
              {{"breaker", {{"consecutive_failures", 1}, {"open_ms", 5000}}},
               {"retry", {{"max_attempts", 1}}}})});
  Outcome long_stream;
  long_stream.events = {providers::MessageStartEvent{"s", "m"}, providers::TextDeltaEvent{0, "x"}};
  long_stream.stream_error = http_error(502);
  backend.next(long_stream);
  auto old = open("m");
  ASSERT_TRUE(old.ok()) << old.error().message;
  ASSERT_TRUE(run(old->events->next()).ok());  // the caller has the first event

  Outcome fails;
  fails.error = http_error(500);
  backend.next(fails);
  EXPECT_FALSE(chat("m").ok());
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 2);  // open
  clock.advance(std::chrono::seconds(5));
  ASSERT_TRUE(chat("m").ok());  // the trial succeeds
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 0);

  auto [text, error] = drain(*old);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->http_status, 502);
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 0);  // still closed
  ASSERT_TRUE(chat("m").ok());

  // A stream handed out in the current state still counts when it breaks.
  backend.next(long_stream);
  auto current = open("m");
  ASSERT_TRUE(current.ok()) << current.error().message;
  drain(*current);
  EXPECT_EQ(gauge("osprey_deployment_circuit_state", "a"), 2);
}

TEST_F(ModelRouterStream, AbandonedStreamCountsAsCancelledAndFreesTheSlot) {
  load({model("m", {deployment("a", {{"max_concurrent", 1}})})});
  {
    auto s = open("m");
    ASSERT_TRUE(s.ok());
    auto first = run(s->events->next());
    ASSERT_TRUE(first.ok());
  }  // the caller drops the stream
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", "a", "cancelled"}),
            1);
  auto again = open("m");  // the single slot is free again
  ASSERT_TRUE(again.ok()) << again.error().message;
}

TEST_F(ModelRouterStream, StreamOutlivesTheRouterAndItsTable) {
  load({model("m", {deployment("a")})});
  auto s = open("m");
  ASSERT_TRUE(s.ok());
  load({model("m", {deployment("b")})});  // the stream's deployment leaves the table
  router.reset();                         // and the router goes away
  auto [text, error] = drain(*s);
  EXPECT_EQ(text, "hello from a");
  EXPECT_FALSE(error.has_value());
  EXPECT_EQ(counter("osprey_upstream_requests_total", {"model", "deployment", "outcome"},
                    {"m", "a", "success"}),
            1);
}

TEST_F(ModelRouterStream, FallsBackWhenEveryDeploymentFailsBeforeTheFirstEvent) {
  load({model("m", {deployment("a")}, {{"fallbacks", {"n"}}}), model("n", {deployment("b")})});
  backend.set_down("a", http_error(500));
  auto s = open("m");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->model, "n");
  EXPECT_EQ(s->deployment, "b");
}

}  // namespace
}  // namespace osprey::router::testing
