#pragma once
// The Store conformance suite: one set of TEST_P(StoreConformanceTest, ...) that every backend
// must pass. Tests live in *_conformance_test.cpp files grouped by area (migrations, settings,
// lifecycle; jobs and ledger later); store_conformance_test.cpp instantiates the suite once
// over store_backends(), so a new test file needs no instantiation of its own and a new backend
// needs one entry in store_backends().
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"
#include "unit/store/test_database.h"

namespace osprey::store::testing {

struct StoreBackend {
  std::string name;  // Store::backend() of the stores it opens; also the test name suffix
  std::function<Result<std::unique_ptr<TestDatabase>>()> create_database;
};

inline std::ostream& operator<<(std::ostream& out, const StoreBackend& backend) {
  return out << backend.name;
}

// Every backend the suite runs against.
std::vector<StoreBackend> store_backends();

// Gives each test a fresh empty database and an open (not yet migrated) store on it.
class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Another store on the same database (as a second process would open it).
  std::unique_ptr<Store> open_another(int pool_size = 4);
  // Migrates store_, failing the test if that fails.
  void migrate();

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

}  // namespace osprey::store::testing
