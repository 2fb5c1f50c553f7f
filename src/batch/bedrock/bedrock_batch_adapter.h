#pragma once
// BedrockBatchAdapter: Amazon Bedrock batch inference behind BatchAdapter. submit() writes the
// records as a JSONL file to S3 (PutObject) and creates a model invocation job
// (CreateModelInvocationJob); poll() reads its status (GetModelInvocationJob) and, once it has
// ended, the record counts of manifest.json.out; cancel() stops it (StopModelInvocationJob);
// import_results() reads <output>/<jobId>/input.jsonl.out (GetObject). Every request is signed
// with SigV4 (service "bedrock" for the control plane, "s3" for S3). Record bodies follow the
// model family (batch_model_input.h); Bedrock record ids are positions ("REC00000000") and the
// caller's record ids travel in SubmittedBatch::data. Blocking (net::fetch); immutable after
// construction, so thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "batch/batch_adapter.h"
#include "batch/bedrock/bedrock_batch_config.h"
#include "net/http_client.h"

namespace osprey::batch::bedrock {

class BedrockBatchAdapter final : public BatchAdapter {
 public:
  // The factory registered as "bedrock".
  static Result<std::unique_ptr<BatchAdapter>> create(const AdapterContext& context);

  explicit BedrockBatchAdapter(BedrockBatchConfig config);

  std::string_view name() const override { return "bedrock"; }
  BatchLimits limits() const override;
  Result<SubmittedBatch> submit(const BatchSubmission& submission) const override;
  Result<BatchStatus> poll(const SubmittedBatch& batch) const override;
  Status cancel(const SubmittedBatch& batch) const override;
  Result<std::vector<RecordOutcome>> import_results(const SubmittedBatch& batch) const override;

 private:
  // A signed request to the control plane (service "bedrock") or to S3 (service "s3").
  Result<net::ClientResponse> control(const std::string& method,
                                      const std::vector<std::string>& segments,
                                      std::string body) const;
  Result<net::ClientResponse> s3(const std::string& method, const std::string& key,
                                 std::string body) const;
  Result<net::ClientResponse> send(net::ClientRequest request, const std::string& base_url,
                                   const std::vector<std::string>& segments,
                                   const std::string& service) const;

  const BedrockBatchConfig config_;
};

// Bedrock's job status word → the common state ("Scheduled" → kScheduled, "Stopping" →
// kCancelling, "PartiallyCompleted" → kCompleted, ...). Unknown words → kInProgress: the job
// is polled on rather than given up.
BatchState bedrock_job_state(std::string_view status);

}  // namespace osprey::batch::bedrock
