// osprey-fake-upstream: runs one FakeUpstream until SIGINT/SIGTERM, for tests and benchmarks
// that live outside this process. Prints "fake-upstream listening on http://127.0.0.1:PORT".
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "fakes/fake_upstream.h"

namespace {

using osprey::fakes::FakeUpstreamOptions;

constexpr std::string_view kUsage =
    "usage: osprey-fake-upstream --vendor openai|anthropic|ollama|bedrock [--port N]\n"
    "  [--threads N] [--api-key K] [--model M]... [--seed S] [--record-limit N]\n"
    "  [--latency-ms N] [--chunk-delay-ms N] [--fail-rate F] [--status N] [--retry-after-s N]\n"
    "  [--hang] [--hang-cap-ms N] [--down] [--cut-after-chunks N]\n"
    "  [--stream-error-after-chunks N] [--malformed] [--probe-fail] [--ignore-tools]\n"
    "  [--script FILE]\n";

bool parse_number(std::string_view text, double& out) {
  const std::string s(text);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// Returns an error message, empty on success.
std::string parse_args(int argc, char** argv, FakeUpstreamOptions& opt) {
  nlohmann::json faults = nlohmann::json::object();
  bool have_vendor = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&](std::string_view& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    auto number = [&](double& out) {
      std::string_view v;
      return value(v) && parse_number(v, out);
    };
    std::string_view v;
    double n = 0;
    if (flag == "--vendor") {
      if (!value(v)) return "--vendor needs a value";
      auto vendor = osprey::fakes::parse_vendor(v);
      if (!vendor) return "unknown vendor '" + std::string(v) + "'";
      opt.vendor = *vendor;
      have_vendor = true;
    } else if (flag == "--port") {
      if (!number(n) || n < 0 || n > 65535) return "--port needs a port number";
      opt.port = static_cast<std::uint16_t>(n);
    } else if (flag == "--threads") {
      if (!number(n) || n < 1 || n > 64) return "--threads needs 1..64";
      opt.io_threads = static_cast<int>(n);
    } else if (flag == "--api-key") {
      if (!value(v)) return "--api-key needs a value";
      opt.api_key = v;
    } else if (flag == "--model") {
      if (!value(v)) return "--model needs a value";
      opt.models.emplace_back(v);
    } else if (flag == "--seed") {
      if (!number(n) || n < 0) return "--seed needs a non-negative number";
      opt.seed = static_cast<std::uint64_t>(n);
    } else if (flag == "--record-limit") {
      if (!number(n) || n < 0) return "--record-limit needs a non-negative number";
      opt.record_limit = static_cast<std::size_t>(n);
    } else if (flag == "--hang" || flag == "--down" || flag == "--malformed" ||
               flag == "--probe-fail" || flag == "--ignore-tools") {
      std::string key(flag.substr(2));
      for (char& c : key) c = c == '-' ? '_' : c;
      faults[key] = true;
    } else if (flag == "--fail-rate") {
      if (!number(n)) return "--fail-rate needs a number";
      faults["fail_rate"] = n;
    } else if (flag == "--latency-ms" || flag == "--chunk-delay-ms" || flag == "--status" ||
               flag == "--retry-after-s" || flag == "--hang-cap-ms" ||
               flag == "--cut-after-chunks" || flag == "--stream-error-after-chunks") {
      if (!number(n)) return std::string(flag) + " needs an integer";
      std::string key(flag.substr(2));
      for (char& c : key) c = c == '-' ? '_' : c;
      faults[key] = static_cast<long long>(n);
    } else if (flag == "--script") {
      if (!value(v)) return "--script needs a file";
      std::ifstream in{std::string(v)};
      const nlohmann::json script = nlohmann::json::parse(in, nullptr, false);
      if (!in.is_open() || script.is_discarded()) {
        return "--script: cannot read JSON from " + std::string(v);
      }
      auto rules = osprey::fakes::parse_script(script);
      if (!rules) return "--script: " + rules.error().message;
      opt.script = std::move(rules.value());
    } else if (flag == "--help" || flag == "-h") {
      return "help";
    } else {
      return "unknown flag '" + std::string(flag) + "'";
    }
  }
  if (!have_vendor) return "--vendor is required";
  if (osprey::Status s = osprey::fakes::apply_fault_patch(faults, opt.faults); !s) {
    return s.error().message;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  FakeUpstreamOptions options;
  if (std::string err = parse_args(argc, argv, options); !err.empty()) {
    if (err != "help") std::cerr << "osprey-fake-upstream: " << err << "\n";
    std::cerr << kUsage;
    return err == "help" ? 0 : 2;
  }
  // Block the signals before any thread starts, so only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  osprey::fakes::FakeUpstream fake(options);
  if (osprey::Status s = fake.start(); !s) {
    std::cerr << "osprey-fake-upstream: " << s.error().message << "\n";
    return 1;
  }
  std::cout << "fake-upstream listening on " << fake.base_url() << std::endl;
  int signo = 0;
  sigwait(&signals, &signo);
  fake.stop();
  return 0;
}
