#include "store/job_input.h"

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>

#include "store/tenancy_input.h"

namespace osprey::store {
namespace {

bool is_json(std::string_view text) { return nlohmann::json::accept(text); }

}  // namespace

Status check_limit(std::string_view field, int limit, int max) {
  if (limit < 1 || limit > max) {
    return invalid_field(field, "must be between 1 and " + std::to_string(max));
  }
  return {};
}

Status check_new_job(const NewJob& job) {
  if (Status s = check_name("workload", job.workload); !s) return s;
  if (Status s = check_json_object("spec", job.spec_json); !s) return s;
  if (Status s = check_tags_json(job.tags_json); !s) return s;
  if (job.priority < 0 || job.priority > kMaxJobPriority) {
    return invalid_field("priority", "must be between 0 and " + std::to_string(kMaxJobPriority));
  }
  if (job.max_attempts < 1 || job.max_attempts > 1000) {
    return invalid_field("max_attempts", "must be between 1 and 1000");
  }
  if (job.resource.size() > 200 || job.resource.find('\0') != std::string::npos) {
    return invalid_field("resource", "must be at most 200 bytes without NUL");
  }
  if (job.idempotency_key.size() > 255 || job.idempotency_key.find('\0') != std::string::npos) {
    return invalid_field("idempotency_key", "must be at most 255 bytes without NUL");
  }
  if (job.body_hash.size() > 255) return invalid_field("body_hash", "must be at most 255 bytes");
  if (job.items.empty()) return invalid_field("items", "a job needs at least one item");
  std::unordered_set<std::string_view> keys;
  keys.reserve(job.items.size());
  for (std::size_t i = 0; i < job.items.size(); ++i) {
    const NewJobItem& item = job.items[i];
    const std::string field = "items[" + std::to_string(i) + "]";
    if (item.key.empty() || item.key.size() > kMaxItemKeyBytes ||
        item.key.find('\0') != std::string::npos) {
      return invalid_field(field + ".key", "must be 1 to 512 bytes without NUL");
    }
    if (!keys.insert(item.key).second) {
      return invalid_field(field + ".key", "'" + item.key + "' appears twice in the job");
    }
    if (item.input_json.find('\0') != std::string::npos || !is_json(item.input_json)) {
      return invalid_field(field + ".input", "is not valid JSON");
    }
  }
  return {};
}

Status check_job_filter(const JobFilter& filter) {
  if (Status s = check_limit("limit", filter.limit, 1000); !s) return s;
  if (filter.tag_key.empty() && !filter.tag_value.empty()) {
    return invalid_field("tag_value", "needs a tag_key");
  }
  if (!filter.tag_key.empty()) {
    if (Status s = check_tag_key(filter.tag_key); !s) return s;
  }
  return {};
}

Status check_item_filter(const ItemFilter& filter) {
  return check_limit("limit", filter.limit, 10000);
}

Status check_claim_request(const ClaimRequest& request) {
  if (Status s = check_name("worker_id", request.worker_id); !s) return s;
  if (Status s = check_limit("max_items", request.max_items, 10000); !s) return s;
  if (request.lease.count() < 1) return invalid_field("lease", "must be at least 1 ms");
  for (const ResourceCap& cap : request.resource_caps) {
    if (cap.max_items < 0) return invalid_field("resource_caps", "max_items cannot be negative");
  }
  for (const TenantCap& cap : request.tenant_caps) {
    if (cap.max_items < 0) return invalid_field("tenant_caps", "max_items cannot be negative");
  }
  return {};
}

Status check_settlements(std::span<const ItemSettlement> settlements) {
  for (std::size_t i = 0; i < settlements.size(); ++i) {
    const ItemSettlement& s = settlements[i];
    const std::string field = "settlements[" + std::to_string(i) + "]";
    if (s.outcome == ItemOutcome::kDone) {
      if (s.result_json.find('\0') != std::string::npos || !is_json(s.result_json)) {
        return invalid_field(field + ".result", "is not valid JSON");
      }
      if (s.cost_micros < 0) return invalid_field(field + ".cost_micros", "cannot be negative");
    } else {
      if (s.retry_delay.count() < 0)
        return invalid_field(field + ".retry_delay", "cannot be negative");
      if (s.error_message.find('\0') != std::string::npos ||
          s.error_code.find('\0') != std::string::npos) {
        return invalid_field(field + ".error", "cannot contain NUL");
      }
    }
  }
  return {};
}

void add_item_count(JobCounts& counts, std::string_view state, std::int64_t n) {
  counts.total += n;
  switch (parse_item_state(state).value_or(ItemState::kReady)) {
    case ItemState::kReady:
      counts.ready += n;
      break;
    case ItemState::kLeased:
      counts.running += n;
      break;
    case ItemState::kRetryWait:
      counts.retry_wait += n;
      break;
    case ItemState::kDone:
      counts.done += n;
      break;
    case ItemState::kDead:
      counts.dead += n;
      break;
    case ItemState::kPaused:
      counts.paused += n;
      break;
    case ItemState::kCancelled:
      counts.cancelled += n;
      break;
  }
}

}  // namespace osprey::store
