#pragma once
// FakeUpstreamProcess: one `osprey-fake-upstream` CLI process (tests/fakes) for the integration
// tests that run the real binary, started on a free port and killed on destruction.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "integration/osprey_process.h"

namespace osprey::testing {

// The fake upstream binary: env OSPREY_FAKE_UPSTREAM, else built beside osprey
// (<build>/src/osprey → <build>/tests/fakes/osprey-fake-upstream).
std::string fake_upstream_binary();

class FakeUpstreamProcess {
 public:
  // `flags` are the CLI's own (e.g. {"--vendor", "openai", "--latency-ms", "50"}); "--port 0" is
  // added. Records a test failure if the process does not print its URL within 10 s.
  explicit FakeUpstreamProcess(const std::vector<std::string>& flags);
  ~FakeUpstreamProcess();
  FakeUpstreamProcess(const FakeUpstreamProcess&) = delete;
  FakeUpstreamProcess& operator=(const FakeUpstreamProcess&) = delete;

  const std::string& url() const { return url_; }
  std::uint16_t port() const { return port_; }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::string url_;
  std::uint16_t port_ = 0;
};

}  // namespace osprey::testing
