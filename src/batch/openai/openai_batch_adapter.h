#pragma once
// OpenAI Batch API adapter: the records become a JSONL file of
// {"custom_id","method":"POST","url":"/v1/chat/completions","body":{...}} lines uploaded with
// POST /v1/files (multipart, purpose=batch), then POST /v1/batches
// {input_file_id, endpoint, completion_window:"24h", metadata}. Polls GET /v1/batches/{id}
// (validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled map
// one to one), cancels with POST /v1/batches/{id}/cancel, and imports output_file_id and
// error_file_id through GET /v1/files/{id}/content. Works against any OpenAI-compatible server
// with the Batch API (the deployment's base_url and api_key).
#include <memory>

#include "batch/batch_adapter.h"
#include "batch/batch_adapter_registry.h"

namespace osprey::batch {

// options (batch.native.adapters.openai): completion_window (default "24h").
Result<std::unique_ptr<BatchAdapter>> make_openai_batch_adapter(const AdapterContext& context);

// One line of an output or error file → the record's outcome (pure; for tests).
Result<RecordOutcome> parse_openai_batch_line(std::string_view line);

}  // namespace osprey::batch
