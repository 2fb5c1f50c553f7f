// Lifecycle part of the Store conformance suite, and the one instantiation of the whole suite
// over every backend (see store_conformance.h).
#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

TEST_P(StoreConformanceTest, ReportsItsBackendName) {
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->backend(), GetParam().name);
}

TEST_P(StoreConformanceTest, PingSucceedsOnEmptyAndMigratedDatabase) {
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->ping().ok());
  migrate();
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(StoreConformanceTest, IntegrityCheckPassesOnMigratedDatabase) {
  migrate();
  ASSERT_TRUE(store_->put_setting("k", "v").ok());
  Status integrity = store_->check_integrity();
  EXPECT_TRUE(integrity.ok()) << integrity.error().message;
}

TEST_P(StoreConformanceTest, EveryCallAfterCloseFailsWithStoreError) {
  migrate();
  ASSERT_TRUE(store_->put_setting("k", "v").ok());
  ASSERT_TRUE(store_->close().ok());

  EXPECT_EQ(store_->ping().code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->check_integrity().code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->migrate().code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->schema_version().code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->get_setting("k").code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->put_setting("k", "w").code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->put_setting_if_absent("n", "w").code(), ErrorCode::kStoreError);
  EXPECT_EQ(store_->list_settings("").code(), ErrorCode::kStoreError);
  // The list of known migrations is part of the binary, not of the connection.
  EXPECT_FALSE(store_->migrations().empty());
  // Closing twice is harmless (shutdown paths may both close).
  EXPECT_TRUE(store_->close().ok());
}

TEST_P(StoreConformanceTest, DataSurvivesCloseAndReopen) {
  migrate();
  ASSERT_TRUE(store_->put_setting("instance_id", "abc-123").ok());
  ASSERT_TRUE(store_->close().ok());
  store_ = open_another();
  ASSERT_NE(store_, nullptr);
  auto value = store_->get_setting("instance_id");
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(value->value_or("<absent>"), "abc-123");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(store_backends()),
                         [](const ::testing::TestParamInfo<StoreBackend>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace osprey::store::testing
