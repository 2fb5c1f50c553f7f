#pragma once
// Checks of job-store inputs, shared by both backends so they accept and reject exactly the
// same values. Errors are kInvalidRequest and name the field.
#include <span>
#include <string_view>

#include "core/result.h"
#include "store/job_records.h"

namespace osprey::store {

inline constexpr int kMaxJobPriority = 9;
inline constexpr std::size_t kMaxItemKeyBytes = 512;

Status check_new_job(const NewJob& job);  // includes unique item keys
Status check_job_filter(const JobFilter& filter);
Status check_item_filter(const ItemFilter& filter);
Status check_claim_request(const ClaimRequest& request);
Status check_settlements(std::span<const ItemSettlement> settlements);
Status check_limit(std::string_view field, int limit, int max);

// Adds `n` items in `state` (the stored state text) to `counts`; both backends read counts as
// (state, count) rows.
void add_item_count(JobCounts& counts, std::string_view state, std::int64_t n);

}  // namespace osprey::store
