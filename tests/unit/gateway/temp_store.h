#pragma once
// TempStore: a migrated SQLite store in a fresh temporary directory, removed afterwards, for
// gateway tests that need real tenancy tables (budgets, ledger, audit).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace osprey::gateway::testing {

class TempStore {
 public:
  TempStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "osprey-gw-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    store::StoreOptions options;
    // Appended, not "lit" + string: GCC 12 reports a false -Wrestrict on that at -O3.
    options.url = "sqlite:";
    options.url.append(dir_).append("/osprey.db");
    auto opened = store::open_store(options);
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return;
    }
    store_ = std::move(opened.value());
    Status migrated = store_->migrate();
    if (!migrated.ok()) ADD_FAILURE() << migrated.error().message;
  }
  ~TempStore() {
    if (store_) (void)store_->close();
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }

  // Creates a tenant and returns its id (0 on failure, with a test failure).
  std::int64_t tenant(const std::string& name) {
    auto t = store_->create_tenant(name, "{}");
    if (!t) {
      ADD_FAILURE() << t.error().message;
      return 0;
    }
    return t->id;
  }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace osprey::gateway::testing
