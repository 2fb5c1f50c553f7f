#pragma once
// BedrockBatchFake: Amazon S3 (path-style PutObject / GetObject, objects in memory) and the
// Bedrock batch inference control plane (CreateModelInvocationJob, GetModelInvocationJob,
// StopModelInvocationJob) on one 127.0.0.1 port, told apart by the service in the SigV4
// credential scope ("s3" or "bedrock"), as the Bedrock API reference and the batch inference
// user guide describe them. Authorization must have the SigV4 shape (signature not verified);
// S3 also needs X-Amz-Content-SHA256. A job walks Submitted → Validating → Scheduled →
// InProgress → Completed with a configurable time in each state (checked lazily when the job is
// read), fails validation when its input is missing, malformed or below `min_records`, and on
// completion writes <output>/<jobId>/<input>.out and manifest.json.out; `fail_record_ids` get
// per-record errors. Stop moves a job to Stopping, then Stopped (with results for the first
// half of the records when it was InProgress). `stay_scheduled` keeps jobs in Scheduled.
// Used in-process; every method is thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "fakes/fake_http_server.h"
#include "fakes/recorded_request.h"

namespace osprey::fakes {

struct BedrockBatchFakeOptions {
  std::uint16_t port = 0;
  int io_threads = 2;
  std::string access_key_id;  // when set, the SigV4 access key id must equal it (else 403)
  std::chrono::milliseconds submitted{0};
  std::chrono::milliseconds validating{0};
  std::chrono::milliseconds scheduled{0};
  std::chrono::milliseconds in_progress{0};
  std::chrono::milliseconds stopping{0};
  bool stay_scheduled = false;
  std::size_t min_records = 0;  // the "Minimum number of records per batch inference job" quota
  std::set<std::string> fail_record_ids;
};

// A job as the fake sees it (status evaluated at the time of the call).
struct FakeBatchJob {
  std::string job_arn;
  std::string job_name;
  std::string model_id;
  std::string status;
  std::string message;
  std::string input_uri;
  std::string output_uri;
  std::size_t records = 0;  // known after validation
  int stop_calls = 0;
  std::vector<std::string> history;  // every status the job has had, in order
};

class BedrockBatchFake {
 public:
  explicit BedrockBatchFake(BedrockBatchFakeOptions options);
  ~BedrockBatchFake();
  BedrockBatchFake(const BedrockBatchFake&) = delete;
  BedrockBatchFake& operator=(const BedrockBatchFake&) = delete;

  Status start();
  void stop();
  std::string base_url() const;  // "http://127.0.0.1:<port>", for both S3 and Bedrock

  // Every job created so far, its status brought up to date.
  std::vector<FakeBatchJob> jobs();
  std::optional<std::string> object(const std::string& bucket, const std::string& key) const;
  std::vector<std::string> object_keys(const std::string& bucket) const;
  std::vector<RecordedRequest> requests() const;

  void set_stay_scheduled(bool stay);
  void set_fail_record_ids(std::set<std::string> ids);

  // One HTTP answer of the fake.
  struct Answer {
    int status = 200;
    HeaderList headers;
    std::string body;
  };

 private:
  struct Job;
  Task<void> handle(const RecordedRequest& req, FakeExchange& ex);
  Answer handle_s3(const RecordedRequest& req);
  Answer handle_bedrock(const RecordedRequest& req, const std::string& region);
  Answer create_job(const RecordedRequest& req, const std::string& region);
  Answer get_job(const std::string& id);
  Answer stop_job(const std::string& id);
  Job* find_job(const std::string& id);      // REQUIRES: mu_ held
  void advance(Job& job);                    // REQUIRES: mu_ held
  void finish(Job& job, std::size_t limit);  // REQUIRES: mu_ held
  FakeBatchJob view(const Job& job) const;   // REQUIRES: mu_ held

  const BedrockBatchFakeOptions options_;
  mutable std::mutex mu_;  // guards everything below
  bool stay_scheduled_;
  std::set<std::string> fail_record_ids_;
  std::map<std::string, std::map<std::string, std::string>> buckets_;  // bucket → key → body
  std::vector<std::unique_ptr<Job>> jobs_;
  std::vector<RecordedRequest> requests_;
  std::unique_ptr<FakeHttpServer> server_;
};

}  // namespace osprey::fakes
