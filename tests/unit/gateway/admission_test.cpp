// Admission: ModelGate ordering (priority, then arrival), overflow, leaving the queue; the
// AdmissionControl coroutine with timeouts, client disconnects and its codes; config parsing.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "gateway/admission/admission_config.h"
#include "gateway/admission/admission_control.h"
#include "gateway/admission/model_gate.h"

namespace osprey::gateway {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

AdmissionLimits limits(int concurrent, int queue, std::chrono::milliseconds timeout = 60s) {
  AdmissionLimits l;
  l.max_concurrent = concurrent;
  l.max_queue = queue;
  l.queue_timeout = timeout;
  return l;
}

std::shared_ptr<AdmissionTicket> ticket(PriorityClass p) {
  return std::make_shared<AdmissionTicket>(p);
}

TEST(ModelGateTest, AdmitsUpToTheLimitThenQueuesThenRefuses) {
  ModelGate gate(limits(2, 1));
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kNormal)), ModelGate::Entry::kAdmitted);
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kNormal)), ModelGate::Entry::kAdmitted);
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kNormal)), ModelGate::Entry::kQueued);
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kHigh)), ModelGate::Entry::kFull);
  EXPECT_EQ(gate.in_flight(), 2);
  EXPECT_EQ(gate.queued(), 1u);
}

TEST(ModelGateTest, ReleasedSlotsGoByPriorityThenArrival) {
  ModelGate gate(limits(1, 10));
  ASSERT_EQ(gate.enter(ticket(PriorityClass::kNormal)), ModelGate::Entry::kAdmitted);
  auto low1 = ticket(PriorityClass::kLow);
  auto normal1 = ticket(PriorityClass::kNormal);
  auto high1 = ticket(PriorityClass::kHigh);
  auto low2 = ticket(PriorityClass::kLow);
  auto high2 = ticket(PriorityClass::kHigh);
  for (const auto& t : {low1, normal1, high1, low2, high2}) {
    ASSERT_EQ(gate.enter(t), ModelGate::Entry::kQueued);
  }
  std::vector<std::shared_ptr<AdmissionTicket>> order;
  const std::vector<std::shared_ptr<AdmissionTicket>> all = {low1, normal1, high1, low2, high2};
  for (int i = 0; i < 5; ++i) {
    gate.release();
    for (const auto& t : all) {
      if (t->waiter->woken() && std::find(order.begin(), order.end(), t) == order.end()) {
        order.push_back(t);
      }
    }
    ASSERT_EQ(order.size(), static_cast<std::size_t>(i + 1));
    EXPECT_EQ(gate.in_flight(), 1);  // the slot passed on, never freed in between
  }
  EXPECT_EQ(order, (std::vector{high1, high2, normal1, low1, low2}));
  gate.release();
  EXPECT_EQ(gate.in_flight(), 0);
}

TEST(ModelGateTest, NewcomerCannotOvertakeTheQueue) {
  ModelGate gate(limits(1, 10));
  ASSERT_EQ(gate.enter(ticket(PriorityClass::kLow)), ModelGate::Entry::kAdmitted);
  auto waiting = ticket(PriorityClass::kLow);
  ASSERT_EQ(gate.enter(waiting), ModelGate::Entry::kQueued);
  gate.release();  // goes to `waiting`
  EXPECT_TRUE(waiting->waiter->woken());
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kHigh)), ModelGate::Entry::kQueued);
}

TEST(ModelGateTest, LeavingTicketFreesItsPlaceAndGrantedLeaverKeepsTheSlot) {
  ModelGate gate(limits(1, 1));
  ASSERT_EQ(gate.enter(ticket(PriorityClass::kNormal)), ModelGate::Entry::kAdmitted);
  auto gone = ticket(PriorityClass::kNormal);
  ASSERT_EQ(gate.enter(gone), ModelGate::Entry::kQueued);
  EXPECT_FALSE(gate.leave(gone));  // not granted: it just leaves
  EXPECT_EQ(gate.queued(), 0u);
  auto next = ticket(PriorityClass::kNormal);
  ASSERT_EQ(gate.enter(next), ModelGate::Entry::kQueued);  // room again
  gate.release();
  EXPECT_TRUE(gate.leave(next));  // granted before it left: it holds the slot
  EXPECT_EQ(gate.in_flight(), 1);
}

TEST(ModelGateTest, ZeroQueueRefusesWhenBusy) {
  ModelGate gate(limits(1, 0));
  ASSERT_EQ(gate.enter(ticket(PriorityClass::kHigh)), ModelGate::Entry::kAdmitted);
  EXPECT_EQ(gate.enter(ticket(PriorityClass::kHigh)), ModelGate::Entry::kFull);
}

class AdmissionControlTest : public ::testing::Test {
 protected:
  std::unique_ptr<AdmissionControl> control(AdmissionLimits l) {
    AdmissionConfig config;
    config.models["chat"] = l;
    return std::make_unique<AdmissionControl>(config, registry_, system_clock());
  }
  // Spawns admit() for `model`; the outcome lands in `out` (permits are kept there).
  void spawn_admit(AdmissionControl& c, PriorityClass p,
                   std::optional<Result<AdmissionPermit, AdmissionRejection>>& out,
                   std::shared_ptr<net::CancelToken> cancel = nullptr) {
    boost::asio::co_spawn(
        io_,
        [&c, p, &out, cancel]() -> net::Task<void> {
          std::string model = "chat";
          out.emplace(co_await c.admit(std::move(model), p, cancel));
        },
        boost::asio::detached);
  }
  void run_for(std::chrono::milliseconds d) {
    io_.restart();
    io_.run_for(d);
  }
  metrics::Registry registry_;
  boost::asio::io_context io_;
};

TEST_F(AdmissionControlTest, UnlimitedModelIsAdmittedWithoutAGate) {
  AdmissionControl c(AdmissionConfig{}, registry_, system_clock());
  EXPECT_EQ(c.gate("chat"), nullptr);
  std::optional<Result<AdmissionPermit, AdmissionRejection>> r;
  spawn_admit(c, PriorityClass::kLow, r);
  run_for(1s);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok());
}

TEST_F(AdmissionControlTest, QueueFullGetsConfiguredStatusAndCode) {
  AdmissionLimits l = limits(1, 0);
  l.overflow_status = 503;
  auto c = control(l);
  std::optional<Result<AdmissionPermit, AdmissionRejection>> first, second;
  spawn_admit(*c, PriorityClass::kHigh, first);
  spawn_admit(*c, PriorityClass::kHigh, second);
  run_for(1s);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->ok());
  ASSERT_FALSE(second->ok());
  EXPECT_EQ(second->error().error.code, ErrorCode::kQueueFull);
  EXPECT_EQ(second->error().status, 503);
  net::Response response = admission_rejection_response(second->error(), "req-1");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(json::parse(response.body)["error"]["code"], "queue_full");
  EXPECT_EQ(response.headers.get("Retry-After"), "60");
}

TEST_F(AdmissionControlTest, WaiterPastTheTimeoutGets503QueueTimeout) {
  auto c = control(limits(1, 5, 50ms));
  std::optional<Result<AdmissionPermit, AdmissionRejection>> holder, waiter;
  spawn_admit(*c, PriorityClass::kNormal, holder);
  spawn_admit(*c, PriorityClass::kNormal, waiter);
  run_for(2s);
  ASSERT_TRUE(holder && waiter);
  ASSERT_FALSE(waiter->ok());
  EXPECT_EQ(waiter->error().error.code, ErrorCode::kQueueTimeout);
  EXPECT_EQ(waiter->error().status, 503);
  EXPECT_EQ(waiter->error().retry_after_s, 1);
  EXPECT_EQ(c->gate("chat")->queued(), 0u);  // it left the queue
  EXPECT_EQ(c->gate("chat")->in_flight(), 1);
}

TEST_F(AdmissionControlTest, ReleasedPermitAdmitsTheHighestQueuedFirst) {
  auto c = control(limits(1, 5));
  std::optional<Result<AdmissionPermit, AdmissionRejection>> holder, low, high;
  spawn_admit(*c, PriorityClass::kNormal, holder);
  run_for(50ms);
  spawn_admit(*c, PriorityClass::kLow, low);
  run_for(50ms);
  spawn_admit(*c, PriorityClass::kHigh, high);
  run_for(50ms);
  ASSERT_TRUE(holder.has_value());
  EXPECT_FALSE(low.has_value());
  EXPECT_FALSE(high.has_value());
  holder.reset();  // gives the slot back
  run_for(200ms);
  ASSERT_TRUE(high.has_value());
  EXPECT_TRUE(high->ok());
  EXPECT_FALSE(low.has_value());
  high.reset();
  run_for(200ms);
  ASSERT_TRUE(low.has_value());
  EXPECT_TRUE(low->ok());
}

TEST_F(AdmissionControlTest, ClientThatLeavesWhileQueuedLeavesTheQueue) {
  auto c = control(limits(1, 5));
  auto cancel = std::make_shared<net::CancelToken>();
  std::optional<Result<AdmissionPermit, AdmissionRejection>> holder, gone;
  spawn_admit(*c, PriorityClass::kNormal, holder);
  spawn_admit(*c, PriorityClass::kNormal, gone, cancel);
  run_for(50ms);
  EXPECT_EQ(c->gate("chat")->queued(), 1u);
  cancel->cancel();
  run_for(200ms);
  ASSERT_TRUE(gone.has_value());
  ASSERT_FALSE(gone->ok());
  EXPECT_EQ(gone->error().error.code, ErrorCode::kClientClosed);
  EXPECT_EQ(c->gate("chat")->queued(), 0u);
  holder.reset();
  EXPECT_EQ(c->gate("chat")->in_flight(), 0);
  EXPECT_NE(registry_.render().find(
                R"(osprey_admission_rejections_total{model="chat",reason="client_closed"} 1)"),
            std::string::npos);
}

TEST(AdmissionConfigTest, ModelsInheritTheDefault) {
  json sections = {{"admission",
                    {{"default", {{"max_concurrent", 8}, {"queue_timeout_ms", 500}}},
                     {"models", {{"chat", {{"max_concurrent", 2}, {"overflow_status", 503}}}}}}}};
  auto config = parse_admission_config(sections);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->limits_for("other").max_concurrent, 8);
  const AdmissionLimits& chat = config->limits_for("chat");
  EXPECT_EQ(chat.max_concurrent, 2);
  EXPECT_EQ(chat.queue_timeout, 500ms);
  EXPECT_EQ(chat.overflow_status, 503);
  EXPECT_EQ(chat.max_queue, 100);
}

TEST(AdmissionConfigTest, ErrorsNameTheKey) {
  auto bad_status = parse_admission_config(
      json{{"admission", {{"models", {{"chat", {{"overflow_status", 500}}}}}}}});
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.error().message.rfind("admission.models.chat.overflow_status:", 0), 0u)
      << bad_status.error().message;
  auto unknown = parse_admission_config(json{{"admission", {{"default", {{"max_conc", 1}}}}}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("admission.default.max_conc"), std::string::npos)
      << unknown.error().message;
  auto negative = parse_admission_config(json{{"admission", {{"default", {{"max_queue", -1}}}}}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("admission.default.max_queue"), std::string::npos);
}

}  // namespace
}  // namespace osprey::gateway
