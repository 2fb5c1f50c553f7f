#pragma once
// BatchAdapter: one vendor's batch API (OpenAI Batch API, Anthropic Message Batches, Bedrock
// batch inference) behind one blocking interface. The native batch driver (native_driver.h)
// owns the lifecycle: it builds a BatchSubmission from a job's items, submits it, polls the
// provider job until a terminal state, cancels it when asked, and imports the results into the
// job's items; the adapter only speaks the vendor's wire format. Every call blocks (HTTP through
// net::fetch): call it from the driver's thread, never an I/O thread. An adapter is built once
// from validated configuration and is const afterwards (thread-safe). Failures are Result
// errors in the shared taxonomy; vendors' per-record failures are RecordOutcomes, not errors.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "providers/chat_types.h"

namespace osprey::batch {

// The common lifecycle every vendor's states map onto. Not-yet-running: submitted, validating,
// scheduled (auto mode falls back to sync when a job stays there too long). Terminal:
// completed, failed, expired, cancelled.
enum class BatchState {
  kSubmitted,
  kValidating,
  kScheduled,
  kInProgress,
  kFinalizing,
  kCompleted,
  kFailed,
  kExpired,
  kCancelling,
  kCancelled,
};

std::string_view batch_state_name(BatchState state);  // "submitted", "in_progress", ...
std::optional<BatchState> parse_batch_state(std::string_view name);
bool is_terminal(BatchState state);
bool is_not_yet_running(BatchState state);

// One request of a provider batch. `record_id` is what the vendor echoes back (OpenAI and
// Anthropic `custom_id`, Bedrock `recordId`); the driver uses the item key.
struct BatchRecord {
  std::string record_id;
  providers::ChatRequest request;
};

struct BatchSubmission {
  std::string model;           // Osprey's model name (the job's model)
  std::string upstream_model;  // the model id the vendor knows (replaces request.model)
  std::string label;           // e.g. "osprey-job-17-part-0": names, metadata, file names
  std::vector<BatchRecord> records;
};

// What the driver persists of a submitted provider job (job driver state, so a restarted driver
// resumes polling): the vendor's job id plus whatever the adapter needs later (file ids,
// S3 URIs, results URLs), as the adapter chose to write it.
struct SubmittedBatch {
  std::string id;
  nlohmann::json data = nlohmann::json::object();
};

struct BatchStatus {
  BatchState state = BatchState::kSubmitted;
  std::string raw_state;  // the vendor's own word ("Scheduled", "validating", "ended", ...)
  std::string message;    // the vendor's explanation of a failure, "" if none
  // Request counts when the vendor reports them (-1 = unknown).
  std::int64_t total = -1;
  std::int64_t succeeded = -1;
  std::int64_t failed = -1;
  // Adapter data learnt while polling (output file ids, results URL), merged into
  // SubmittedBatch::data by the driver before import; empty when nothing new.
  nlohmann::json data_update = nlohmann::json::object();
};

// One record's fate as the vendor reports it.
struct RecordOutcome {
  enum class Kind {
    kSucceeded,  // `response` holds the answer
    kErrored,    // the vendor ran it and it failed: a per-item error (dead letter)
    kNotRun,     // never processed (cancelled or expired): auto mode runs it synchronously
  };
  std::string record_id;
  Kind kind = Kind::kSucceeded;
  providers::ChatResponse response;
  std::string error_code;     // kErrored/kNotRun: stable short code, e.g. "invalid_request"
  std::string error_message;  // the vendor's message
  int http_status = 0;        // the vendor's per-record status when it has one
};

struct BatchLimits {
  // Vendors refuse smaller jobs (Bedrock: a minimum record count). The driver pads a smaller
  // submission with padding_request() records whose ids satisfy is_padding_record_id();
  // their outcomes are discarded on import. 1 = no padding.
  std::size_t min_records = 1;
  // Larger jobs are split into several provider jobs of at most this many records.
  std::size_t max_records = 50000;
};

class BatchAdapter {
 public:
  virtual ~BatchAdapter() = default;

  // "openai", "anthropic", "bedrock": log lines, job status, metrics labels.
  virtual std::string_view name() const = 0;
  virtual BatchLimits limits() const = 0;

  // Uploads the input (if the vendor wants a file) and creates the provider job.
  virtual Result<SubmittedBatch> submit(const BatchSubmission& submission) const = 0;
  virtual Result<BatchStatus> poll(const SubmittedBatch& batch) const = 0;
  // Asks the vendor to stop the job; it then passes through cancelling to a terminal state
  // (records finished before that may still have results). Cancelling a job that has already
  // ended is not an error.
  virtual Status cancel(const SubmittedBatch& batch) const = 0;
  // REQUIRES: poll() reported a terminal state (data_update merged into `batch`). One outcome
  // per record the vendor reports, padding records included (the driver drops them); records
  // it does not report are treated as kNotRun by the driver.
  virtual Result<std::vector<RecordOutcome>> import_results(const SubmittedBatch& batch) const = 0;

  // A cheap request for padding records (default: one user word, max_tokens 1).
  virtual providers::ChatRequest padding_request(const BatchSubmission& submission) const;
};

// What cancel() answers when the vendor refused to cancel: success when the provider job has
// already ended (poll() says terminal), else `refused`.
Status cancel_refused(const BatchAdapter& adapter, const SubmittedBatch& batch, Error refused);

// Padding record ids: "osprey-pad-<n>". The driver refuses to pad a job whose own keys use the
// prefix, so a padding outcome is never mistaken for an item's.
std::string padding_record_id(std::size_t n);
bool is_padding_record_id(std::string_view record_id);

}  // namespace osprey::batch
