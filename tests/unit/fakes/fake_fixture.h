#pragma once
// Starts a FakeUpstream for one test and offers JSON calls against it.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "fakes/fake_upstream.h"
#include "unit/fakes/wire_client.h"

namespace osprey::fakes::testing {

inline std::unique_ptr<FakeUpstream> start_fake(FakeUpstreamOptions options) {
  options.io_threads = 1;
  auto fake = std::make_unique<FakeUpstream>(std::move(options));
  const Status s = fake->start();
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return fake;
}

inline FakeUpstreamOptions options_for(Vendor vendor) {
  FakeUpstreamOptions o;
  o.vendor = vendor;
  return o;
}

// Parses a body that must be JSON; fails the test (and returns null) otherwise.
inline nlohmann::json json_of(const WireResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j.is_discarded() ? nlohmann::json() : j;
}

}  // namespace osprey::fakes::testing
