#pragma once
// What the fake Bedrock batch service writes for a job's input file: one output line per input
// record ({"recordId","modelInput","modelOutput"} or {..., "error":{"errorCode","errorMessage"}})
// and the manifest counts, as the Bedrock batch inference docs describe them. The modelOutput is
// the InvokeModel response of the job's model family, made by the Anthropic and Bedrock
// (Converse) personalities: a Claude Messages response for "anthropic.claude" model ids, the
// Nova (Converse-shaped) response for "amazon.nova" ids. Pure; thread-safe.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace osprey::fakes {

struct BatchRecordAnswers {
  std::string output;  // the .jsonl.out text
  nlohmann::json manifest;
  std::size_t records = 0;
};

// The answers for the first `limit` records of `input` (all when limit is SIZE_MAX); records
// whose recordId is in `fail_ids`, and records the model's body rules reject, get an error.
BatchRecordAnswers answer_batch_records(std::string_view input, std::string_view model_id,
                                        const std::set<std::string>& fail_ids, std::size_t limit);

// Non-empty lines of a JSONL text that are JSON objects with a modelInput object; an error
// message (naming the line) for the first line that is not.
struct BatchInputCheck {
  std::size_t records = 0;
  std::string error;
};
BatchInputCheck check_batch_input(std::string_view input);

}  // namespace osprey::fakes
