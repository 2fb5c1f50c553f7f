#pragma once
// Checks of experiment-store inputs and the state names, shared by both backends so they
// accept and reject exactly the same values. Errors are kInvalidRequest and name the field.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/experiment_records.h"

namespace osprey::store {

inline constexpr std::size_t kMaxActionsPerAppend = 100000;
inline constexpr int kMaxActionsPerList = 100000;
inline constexpr std::size_t kMaxCompareKeys = 8;

Status check_new_experiments(std::span<const NewExperiment> experiments);
Status check_experiment_update(const ExperimentUpdate& update);
Status check_actions(std::span<const ExperimentAction> actions);
// Also checks that no config key is given twice.
Status check_experiment_filter(const ExperimentFilter& filter);
Status check_experiment_compare(const ExperimentCompare& compare);

// kNotFound "experiment <id> does not exist", the same from both backends.
Error experiment_not_found(std::int64_t id);

// SQLite JSON path of a checked top-level model_config key: $."key".
std::string config_json_path(std::string_view key);
// PostgreSQL containment object of checked matches: {"temperature":0.2,"num_ctx":4096}.
std::string config_containment_json(std::span<const ConfigMatch> matches);

}  // namespace osprey::store
