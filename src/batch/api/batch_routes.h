#pragma once
// The OpenAI-compatible Files and Batches APIs (docs/batch.md), tenant-scoped through the
// Principal that the auth stage hands to each handler; errors in the one error shape, which is
// OpenAI's. A batch is an ordinary job of the `batch` workload ("batch_17" is job 17, also
// visible through /v1/jobs); its output and error files are ordinary files.
//   POST   /v1/files                  multipart/form-data upload (purpose=batch)
//   GET    /v1/files                  list (?purpose=&after=&limit=)
//   GET    /v1/files/{id}             the file object
//   GET    /v1/files/{id}/content     the bytes
//   DELETE /v1/files/{id}
//   POST   /v1/batches                create from an uploaded file
//   GET    /v1/batches                list (?after=&limit=)
//   GET    /v1/batches/{id}           status, request_counts, output_file_id, error_file_id
//   POST   /v1/batches/{id}/cancel
// Handlers only translate HTTP; the work runs on the worker pool.
#include "batch/file_store.h"
#include "jobs/api/jobs_routes.h"
#include "jobs/job_service.h"
#include "net/router.h"
#include "net/worker_pool.h"

namespace osprey::batch {

struct BatchApi {
  jobs::JobService& service;
  const FileStore& files;
  net::WorkerPool& workers;
  jobs::Authenticated authenticated;
};

void add_files_routes(net::Router& router, const BatchApi& api);
void add_batches_routes(net::Router& router, const BatchApi& api);

// An OpenAI list page: {"object": "list", "data", "first_id", "last_id", "has_more"}.
nlohmann::json openai_list(nlohmann::json data, bool has_more);

// The OpenAI batch object of a `batch` job. BLOCKS (looks up its output files).
nlohmann::json batch_view(const store::Job& job, const FileStore& files);

}  // namespace osprey::batch
