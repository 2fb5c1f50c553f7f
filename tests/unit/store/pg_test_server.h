#pragma once
// PgTestServer: the PostgreSQL server the tests of this binary use. OSPREY_TEST_PG_URL names
// an existing server (its user needs CREATEDB); otherwise the first caller starts a throwaway
// cluster with scripts/pg-test-server.sh and a gtest Environment stops it when the binary
// ends. Missing PostgreSQL binaries are a loud failure naming the package, not a skip.
// Thread-safe.
#include <string>

#include "core/result.h"

namespace osprey::store::testing {

// Base URL of the server's admin database, starting the server on first use.
Result<std::string> pg_test_server_url();

// Stops the server if this process started it (called by the gtest Environment).
void stop_pg_test_server();

// `url` with its database name replaced by `database`.
std::string with_database(const std::string& url, const std::string& database);

}  // namespace osprey::store::testing
