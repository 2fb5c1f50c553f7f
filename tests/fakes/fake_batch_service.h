#pragma once
// FakeBatchService: the batch API of a fake OpenAI or Anthropic upstream, following each
// vendor's documented lifecycle and file formats (built from the public docs, not from Osprey's
// adapters):
//   OpenAI: POST /v1/files (multipart, purpose=batch), GET /v1/files/{id}(/content),
//     POST /v1/batches, GET /v1/batches/{id}, POST /v1/batches/{id}/cancel; status
//     validating → in_progress → finalizing → completed (or failed when the input is invalid,
//     cancelling → cancelled); output_file_id / error_file_id JSONL
//     {"id","custom_id","response":{"status_code","request_id","body"},"error"}.
//   Anthropic: POST /v1/messages/batches, GET /v1/messages/batches/{id}(/results),
//     POST /v1/messages/batches/{id}/cancel; processing_status in_progress → ended
//     (canceling → ended after a cancel), request_counts, results_url JSONL
//     {"custom_id","result":{"type":"succeeded"|"errored"|"canceled"|"expired",...}}.
// Each record is answered by the personality's own chat answer (plan_answer), so a batch result
// equals what the synchronous endpoint would have said. Time drives the lifecycle: every state
// lasts `state_ms`; records are processed (and counted in `runs`) when the batch reaches its
// processed point, never after a cancel. Knobs (POST /_fake/batch): state_ms, fail_ids (custom
// ids answered with an error), stuck (never leaves the not-yet-running state until cancelled),
// reset. GET /_fake/batch: knobs plus {"created","cancels","runs":{custom_id: n}}.
// Thread-safe.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/personality.h"

namespace osprey::fakes {

struct BatchKnobs {
  int state_ms = 50;
  std::set<std::string> fail_ids;
  bool stuck = false;
};

class FakeBatchService {
 public:
  explicit FakeBatchService(const Personality& personality) : personality_(personality) {}

  // The reply for a batch API or /_fake/batch request, nullopt for any other request.
  std::optional<Reply> handle(const RecordedRequest& req);

 private:
  struct Record {
    std::string custom_id;
    nlohmann::json body;  // OpenAI line body / Anthropic params
  };
  struct Batch {
    std::string id;
    std::vector<Record> records;
    std::chrono::steady_clock::time_point created;
    std::optional<std::chrono::steady_clock::time_point> cancelled_at;
    std::int64_t created_unix = 0;
    bool stuck = false;
    int state_ms = 50;
    std::set<std::string> fail_ids;
    nlohmann::json errors;  // OpenAI validation errors (failed batch), null if none
    nlohmann::json meta;    // endpoint, input_file_id, completion_window, metadata
    bool processed = false;
    std::map<std::string, std::string> results;  // custom_id → JSONL line (Anthropic)
    std::string output_file_id, error_file_id;
  };

  Reply control(const RecordedRequest& req);
  // OpenAI
  Reply upload_file(const RecordedRequest& req);
  Reply create_openai_batch(const RecordedRequest& req);
  nlohmann::json openai_view(Batch& b);
  // Anthropic
  Reply create_anthropic_batch(const RecordedRequest& req);
  nlohmann::json anthropic_view(Batch& b);

  // Runs every record through the personality (once), filling outputs.
  void process(Batch& b);
  Reply answer_record(const Record& r, std::uint64_t seq);

  const Personality& personality_;
  std::mutex mu_;
  BatchKnobs knobs_;
  std::map<std::string, std::pair<std::string, std::string>> files_;  // id → (filename, bytes)
  std::map<std::string, Batch> batches_;
  std::map<std::string, int> runs_;
  int created_ = 0;
  int cancels_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace osprey::fakes
