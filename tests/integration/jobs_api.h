#pragma once
// Small helpers for integration tests of the /v1/jobs API over HTTP; requests carry the
// server's admin key.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "osprey_process.h"

namespace osprey::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// POST /v1/jobs; fails the test (and returns null) unless the status is 200 or 201.
nlohmann::json submit_job(const OspreyProcess& server, const nlohmann::json& body,
                          const Headers& headers = {});
// GET /v1/jobs/{id}; null on failure.
nlohmann::json get_job(const OspreyProcess& server, std::int64_t id, const Headers& headers = {});
// Polls until the job is finished (any state but queued/running) or the timeout passes; returns
// the last view.
nlohmann::json wait_finished(const OspreyProcess& server, std::int64_t id,
                             std::chrono::seconds timeout, const Headers& headers = {});
// GET /v1/jobs/{id}/results parsed line by line.
std::vector<nlohmann::json> job_results(const OspreyProcess& server, std::int64_t id,
                                        const Headers& headers = {});

// Starts the binary with the jobs scheduler polling every 50 ms, then `args`. `admin_key`: the
// key of an earlier start on the same data dir (a restart prints none).
std::unique_ptr<OspreyProcess> start_jobs_server(std::vector<std::string> args = {},
                                                 std::string data_dir = {},
                                                 std::string admin_key = {});

// A new empty database on the PostgreSQL server named by OSPREY_TEST_PG_URL, so parallel tests do
// not share tables; its URL, or "" when the variable is unset (the caller skips).
std::string fresh_pg_database(const std::string& name_prefix);

}  // namespace osprey::testing
