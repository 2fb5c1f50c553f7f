#pragma once
// Anthropic Message Batches adapter: POST /v1/messages/batches with
// {"requests":[{"custom_id","params":{Messages API body}}]}, polled with
// GET /v1/messages/batches/{id}, cancelled with POST /v1/messages/batches/{id}/cancel, results
// read from the batch's results_url (JSONL: {"custom_id","result":{"type":"succeeded",
// "message"} | {"type":"errored","error"} | {"type":"canceled"} | {"type":"expired"}}).
//
// State mapping: processing_status in_progress → in_progress, or scheduled while no request has
// ended yet (Anthropic has no separate queued state; auto mode treats "nothing ended" as
// not yet running); canceling → cancelling; ended → cancelled if a cancel was initiated,
// expired if every request expired, else completed. custom_id must match [a-zA-Z0-9_-]{1,64}:
// other record ids are sent as "osprey-<n>" and mapped back on import.
#include <memory>

#include "batch/batch_adapter.h"
#include "batch/batch_adapter_registry.h"

namespace osprey::batch {

// No options (batch.native.adapters.anthropic may hold only max_in_flight).
Result<std::unique_ptr<BatchAdapter>> make_anthropic_batch_adapter(const AdapterContext& context);

// One results line → the record's outcome, with custom_id as the record id (pure; for tests).
Result<RecordOutcome> parse_anthropic_batch_line(std::string_view line);

}  // namespace osprey::batch
