#include "jobs/noop_workload.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

namespace osprey::jobs {
namespace {

bool in_list(const nlohmann::json& spec, const char* field, const std::string& key) {
  auto it = spec.find(field);
  if (it == spec.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(),
                     [&](const nlohmann::json& v) { return v.is_string() && v == key; });
}

std::int64_t int_field(const nlohmann::json& spec, const char* field) {
  auto it = spec.find(field);
  return it != spec.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

Status NoopWorkload::validate(const nlohmann::json& spec) const {
  if (!spec.is_object()) return invalid_request("spec: must be an object");
  const bool has_count = spec.contains("count");
  const bool has_items = spec.contains("items");
  if (has_count == has_items) return invalid_request("spec: give exactly one of count or items");
  if (has_count) {
    const nlohmann::json& c = spec["count"];
    if (!c.is_number_integer() || c.get<std::int64_t>() < 1 ||
        c.get<std::uint64_t>() > max_items_) {
      return invalid_request("spec.count: must be an integer in [1, " + std::to_string(max_items_) +
                             "]");
    }
  }
  for (const char* field : {"delay_ms", "jitter_ms", "fail_attempts"}) {
    auto it = spec.find(field);
    if (it == spec.end()) continue;
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
        it->get<std::int64_t>() > 3'600'000) {
      return invalid_request(std::string("spec.") + field + ": must be an integer in [0, 3600000]");
    }
  }
  for (const char* field : {"fail_keys", "permanent_fail_keys"}) {
    auto it = spec.find(field);
    if (it != spec.end() && !it->is_array()) {
      return invalid_request(std::string("spec.") + field + ": must be an array of keys");
    }
  }
  if (auto it = spec.find("resource"); it != spec.end() && !it->is_string()) {
    return invalid_request("spec.resource: must be a string");
  }
  if (has_items) {
    auto items = explicit_items(spec, max_items_);
    if (!items) return items.error();
  }
  return {};
}

Result<std::vector<PlannedItem>> NoopWorkload::plan(const nlohmann::json& spec) const {
  if (spec.contains("items")) return explicit_items(spec, max_items_);
  const auto count = spec["count"].get<std::int64_t>();
  const int width = static_cast<int>(std::to_string(count - 1).size());
  std::vector<PlannedItem> items;
  items.reserve(static_cast<std::size_t>(count));
  char buf[32];
  for (std::int64_t i = 0; i < count; ++i) {
    std::snprintf(buf, sizeof buf, "item-%0*lld", width, static_cast<long long>(i));
    items.push_back({buf, nlohmann::json(i)});
  }
  return items;
}

std::string NoopWorkload::resource_key(const nlohmann::json& spec) const {
  auto it = spec.find("resource");
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ItemResult NoopWorkload::run(const WorkItem& item, const RunContext& ctx) const {
  const nlohmann::json& spec = *item.spec;
  const std::string resource = resource_key(spec);
  int concurrency = 0;
  {
    std::lock_guard lock(mu_);
    concurrency = ++running_[resource];
  }
  std::int64_t delay = int_field(spec, "delay_ms");
  if (const std::int64_t jitter = int_field(spec, "jitter_ms"); jitter > 0) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    delay += std::uniform_int_distribution<std::int64_t>(0, jitter)(rng);
  }
  // Sleep in slices so shutdown is not held up by long delays.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay);
  while (std::chrono::steady_clock::now() < until && !ctx.should_stop()) {
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        until - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
  }
  {
    std::lock_guard lock(mu_);
    --running_[resource];
  }
  if (ctx.should_stop() && std::chrono::steady_clock::now() < until) {
    // Cut short by shutdown: hand the item back without spending its attempt.
    ItemResult r = ItemResult::failure(Outcome::kRateLimited, "interrupted", "worker stopping");
    r.retry_after = std::chrono::milliseconds(0);
    return r;
  }
  if (in_list(spec, "permanent_fail_keys", item.key)) {
    return ItemResult::failure(Outcome::kPermanent, "noop_permanent", "permanent_fail_keys");
  }
  if (in_list(spec, "fail_keys", item.key)) {
    return ItemResult::failure(Outcome::kRetryable, "noop_failed", "fail_keys");
  }
  if (item.attempt <= int_field(spec, "fail_attempts")) {
    return ItemResult::failure(Outcome::kRetryable, "noop_failed",
                               "attempt " + std::to_string(item.attempt) + " fails on purpose");
  }
  return ItemResult::success(
      {{"key", item.key}, {"attempt", item.attempt}, {"concurrency", concurrency}});
}

}  // namespace osprey::jobs
