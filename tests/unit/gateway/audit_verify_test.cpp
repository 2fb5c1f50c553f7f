// verify_audit_log over a real store: an untouched log passes; the stored anchor catches a
// deleted tail that the chain alone cannot see; an external anchor is checked too.
#include "gateway/audit/audit_verify.h"

#include <gtest/gtest.h>

#include "store/audit_anchor.h"
#include "unit/gateway/temp_sqlite_store.h"

namespace osprey::gateway {
namespace {

class AuditVerifyTest : public ::testing::Test {
 protected:
  void append(int n) {
    for (int i = 0; i < n; ++i) {
      auto e = store_->append_audit(
          {.at = {}, .actor = "system", .action = "test.entry", .target = "", .detail_json = "{}"});
      ASSERT_TRUE(e.ok());
    }
  }
  testing::TempSqliteStore store_;
};

TEST_F(AuditVerifyTest, EmptyAndUntouchedLogsPass) {
  Result<AuditVerified> empty = verify_audit_log(*store_);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(empty->entries, 0);
  append(1205);  // more than one page
  Result<AuditVerified> full = verify_audit_log(*store_);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->entries, 1205);
  auto anchor = store_->get_setting(store::kAuditAnchorSetting);
  ASSERT_TRUE(anchor.ok());
  ASSERT_TRUE(anchor->has_value());
  EXPECT_EQ(**anchor, full->last_anchor);
  EXPECT_EQ(full->last_anchor.rfind("1205:", 0), 0u);
}

TEST_F(AuditVerifyTest, AStaleAnchorMeansTheTailWasDeleted) {
  append(3);
  // Pretend entry 4 existed and was deleted: the anchor still names it.
  ASSERT_TRUE(store_->put_setting(store::kAuditAnchorSetting, "4:" + std::string(64, 'a')).ok());
  Result<AuditVerified> r = verify_audit_log(*store_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("audit entry 4: missing"), std::string::npos)
      << r.error().message;
}

TEST_F(AuditVerifyTest, AnAnchorWhoseHashDiffersFails) {
  append(3);
  ASSERT_TRUE(store_->put_setting(store::kAuditAnchorSetting, "3:" + std::string(64, 'b')).ok());
  Result<AuditVerified> r = verify_audit_log(*store_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("audit entry 3: hash differs"), std::string::npos);
}

TEST_F(AuditVerifyTest, ExternalAnchorIsChecked) {
  append(2);
  Result<AuditVerified> first = verify_audit_log(*store_);
  ASSERT_TRUE(first.ok());
  append(2);
  EXPECT_TRUE(verify_audit_log(*store_, first->last_anchor).ok());
  Result<AuditVerified> wrong = verify_audit_log(*store_, "2:" + std::string(64, 'c'));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("--anchor"), std::string::npos);
  EXPECT_FALSE(verify_audit_log(*store_, "garbage").ok());
}

}  // namespace
}  // namespace osprey::gateway
