#include "jobs/in_flight_limits.h"

#include <gtest/gtest.h>

namespace osprey::jobs {
namespace {

using ResourceCaps = std::vector<std::pair<std::string, int>>;
using TenantCaps = std::vector<std::pair<std::int64_t, int>>;

TEST(InFlightLimits, ResourceCapIsLimitMinusInFlight) {
  InFlightLimits limits({{"model-a", 3}, {"model-b", 1}});
  EXPECT_EQ(limits.resource_caps(), (ResourceCaps{{"model-a", 3}, {"model-b", 1}}));
  limits.add(1, "model-a");
  limits.add(2, "model-a");
  limits.add(1, "model-b");
  limits.add(1, "unlimited");
  EXPECT_EQ(limits.resource_caps(), (ResourceCaps{{"model-a", 1}, {"model-b", 0}}));
  limits.add(3, "model-a");
  limits.add(3, "model-a");  // over the limit (e.g. limit lowered): the cap stays 0
  EXPECT_EQ(limits.resource_caps()[0], (std::pair<std::string, int>{"model-a", 0}));
  limits.remove(3, "model-a");
  limits.remove(3, "model-a");
  limits.remove(2, "model-a");
  EXPECT_EQ(limits.resource_caps()[0], (std::pair<std::string, int>{"model-a", 2}));
  EXPECT_EQ(limits.resource_in_use("model-a"), 1);
  EXPECT_EQ(limits.total(), 3);
}

TEST(InFlightLimits, TenantCapsOnlyForLimitedTenants) {
  InFlightLimits limits({});
  limits.add(7, "");
  limits.add(7, "");
  limits.add(8, "");
  EXPECT_EQ(limits.tenant_caps({{7, 5}, {8, 0}, {9, 2}}), (TenantCaps{{7, 3}, {9, 2}}));
  EXPECT_EQ(limits.tenant_caps({{7, 1}}), (TenantCaps{{7, 0}}));
  EXPECT_EQ(limits.tenant_in_flight(7), 2);
  limits.remove(7, "");
  limits.remove(7, "");
  EXPECT_EQ(limits.tenant_in_flight(7), 0);
}

}  // namespace
}  // namespace osprey::jobs
