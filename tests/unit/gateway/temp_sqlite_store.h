#pragma once
// A migrated SQLite store in a fresh temp directory, removed with the object. For gateway tests
// that need real tenants, keys and audit entries.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace osprey::gateway::testing {

class TempSqliteStore {
 public:
  TempSqliteStore() {
    std::string tmpl = "/tmp/osprey-gateway-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    store::StoreOptions options;
    options.url = "sqlite:" + dir_ + "/osprey.db";
    auto opened = store::open_store(options);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    if (!opened) return;
    store_ = std::move(opened.value());
    EXPECT_TRUE(store_->migrate().ok());
  }
  ~TempSqliteStore() {
    if (store_) (void)store_->close();
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace osprey::gateway::testing
