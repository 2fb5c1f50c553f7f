#pragma once
// The files of a Bedrock batch inference job: the input JSONL ({"recordId","modelInput"} per
// line), the output `<input>.jsonl.out` ({"recordId", "modelInput", "modelOutput" |
// "error":{"errorCode","errorMessage"}} per line) and `manifest.json.out` (record and token
// counts). Record ids are positions written as 11 alphanumeric characters ("REC" + 8 digits),
// the strictest form the Bedrock docs show, whatever the callers' own ids look like; the caller
// keeps the position → id map. Pure functions; thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/bedrock/batch_model_input.h"
#include "providers/chat_types.h"

namespace osprey::providers::bedrock {

// The default of the Bedrock quota "Minimum number of records per batch inference job".
inline constexpr std::size_t kDefaultMinRecords = 100;

// "REC00000007" for position 7, and back (nullopt for any other id).
std::string record_id_at(std::size_t index);
std::optional<std::size_t> record_index(std::string_view record_id);

// One JSONL line per model input, record ids by position. Each line ends with '\n'.
std::string build_input_file(const std::vector<nlohmann::json>& model_inputs);

// What Bedrock reported for one record of the output file.
struct BatchRecordResult {
  std::string record_id;
  std::optional<std::size_t> index;      // request_record_index(record_id)
  std::optional<ChatResponse> response;  // modelOutput, parsed
  // Set instead of `response`: the record's error (errorCode, a number on Bedrock, as text) or
  // a modelOutput that could not be read (code "malformed_output").
  std::string error_code;
  std::string error_message;
  bool ok() const { return response.has_value(); }
};

struct BatchOutput {
  std::vector<BatchRecordResult> records;
  std::vector<std::string> bad_lines;  // lines that are not records, with their number
};

// Reads a `.jsonl.out` file. Never fails as a whole: a line that is not a record object is
// listed in bad_lines; a record whose modelOutput does not parse becomes an error record.
BatchOutput parse_output_file(std::string_view text, BatchModelFamily family);

struct BatchManifest {
  std::int64_t total_records = 0;
  std::int64_t processed_records = 0;
  std::int64_t success_records = 0;
  std::int64_t error_records = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
};

// Reads `manifest.json.out`; kUpstreamError when it is not a JSON object. Missing counts are 0.
Result<BatchManifest> parse_manifest(std::string_view text);

}  // namespace osprey::providers::bedrock
