#include "fakes/fault_config.h"

#include <gtest/gtest.h>

namespace osprey::fakes {
namespace {

using nlohmann::json;

TEST(FaultConfig, PatchChangesOnlyTheGivenKeys) {
  FaultConfig c;
  c.latency_ms = 50;
  ASSERT_TRUE(apply_fault_patch(json::parse(R"({"status":429,"retry_after_s":3})"), c).ok());
  EXPECT_EQ(c.status, 429);
  EXPECT_EQ(c.retry_after_s, 3);
  EXPECT_EQ(c.latency_ms, 50);
}

TEST(FaultConfig, ResetRestoresDefaultsBeforeApplyingTheRest) {
  FaultConfig c;
  c.hang = true;
  c.fail_rate = 0.5;
  ASSERT_TRUE(apply_fault_patch(json::parse(R"({"reset":true,"malformed":true})"), c).ok());
  EXPECT_FALSE(c.hang);
  EXPECT_EQ(c.fail_rate, 0.0);
  EXPECT_TRUE(c.malformed);
}

TEST(FaultConfig, BadPatchNamesTheKeyAndLeavesTheConfigUnchanged) {
  FaultConfig c;
  Status s = apply_fault_patch(json::parse(R"({"latency_ms":10,"fail_rate":1.5})"), c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("fail_rate"), std::string::npos);
  EXPECT_EQ(c.latency_ms, 0);

  s = apply_fault_patch(json::parse(R"({"latnecy_ms":10})"), c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("latnecy_ms"), std::string::npos);
  EXPECT_FALSE(apply_fault_patch(json::parse(R"({"hang":"yes"})"), c).ok());
  EXPECT_FALSE(apply_fault_patch(json::parse(R"({"status":200})"), c).ok());
  EXPECT_FALSE(apply_fault_patch(json::parse(R"([1])"), c).ok());
}

TEST(FaultConfig, JsonRoundTripsThroughAPatch) {
  FaultConfig c;
  c.cut_after_chunks = 2;
  c.probe_fail = true;
  FaultConfig copy;
  ASSERT_TRUE(apply_fault_patch(to_json(c), copy).ok());
  EXPECT_EQ(to_json(copy), to_json(c));
}

}  // namespace
}  // namespace osprey::fakes
