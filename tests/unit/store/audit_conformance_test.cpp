// Audit log part of the Store conformance suite.
#include <gmock/gmock.h>

#include <thread>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

using ::testing::HasSubstr;

NewAuditEntry entry(const std::string& action, const std::string& target) {
  NewAuditEntry e;
  e.at = "2026-11-25T14:00:00Z";
  e.actor = "admin:alice";
  e.action = action;
  e.target = target;
  e.detail_json = R"({"reason":"test"})";
  return e;
}

std::vector<AuditEntry> read_all(Store& store) {
  auto entries = store.list_audit(1, 100000);
  EXPECT_TRUE(entries.ok()) << entries.error().message;
  return entries.ok() ? *entries : std::vector<AuditEntry>{};
}

void append_five(Store& store) {
  for (int i = 1; i <= 5; ++i) {
    auto appended = store.append_audit(entry("key.create", "key:" + std::to_string(i)));
    ASSERT_TRUE(appended.ok()) << appended.error().message;
    EXPECT_EQ(appended->seq, i);
  }
}

TEST_P(StoreConformanceTest, AuditEntriesFormAVerifiableChain) {
  migrate();
  append_five(*store_);
  const auto entries = read_all(*store_);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ(entries[0].at, "2026-11-25T14:00:00.000Z");
  EXPECT_EQ(entries[1].prev_hash, entries[0].hash);
  EXPECT_EQ(entries[4].target, "key:5");
  EXPECT_EQ(entries[4].detail_json, R"({"reason":"test"})");
  Status verified = verify_audit_chain(entries);
  EXPECT_TRUE(verified.ok()) << verified.error().message;

  auto window = store_->list_audit(3, 2);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->size(), 2u);
  EXPECT_EQ((*window)[0].seq, 3);
  EXPECT_TRUE(verify_audit_chain(*window, AuditChainStart{3, entries[1].hash}).ok());
}

TEST_P(StoreConformanceTest, AuditVerifyNamesAnEntryEditedBehindTheStoresBack) {
  migrate();
  append_five(*store_);
  ASSERT_TRUE(db_->query("UPDATE audit_log SET actor = 'admin:mallory' WHERE seq = 3").ok());
  Status verified = verify_audit_chain(read_all(*store_));
  ASSERT_FALSE(verified.ok());
  EXPECT_THAT(verified.error().message, HasSubstr("seq 3"));
  EXPECT_THAT(verified.error().message, HasSubstr("edited"));
}

TEST_P(StoreConformanceTest, AuditVerifyNamesTheEntryAfterADeletedOne) {
  migrate();
  append_five(*store_);
  ASSERT_TRUE(db_->query("DELETE FROM audit_log WHERE seq = 2").ok());
  Status verified = verify_audit_chain(read_all(*store_));
  ASSERT_FALSE(verified.ok());
  EXPECT_THAT(verified.error().message, HasSubstr("seq 3"));
}

TEST_P(StoreConformanceTest, ConcurrentAuditAppendsFormOneChain) {
  migrate();
  std::unique_ptr<Store> other = open_another();
  ASSERT_NE(other, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 ? *other : *store_;
      for (int i = 0; i < 10; ++i) {
        auto appended = store.append_audit(entry("config.reload", "thread:" + std::to_string(t)));
        EXPECT_TRUE(appended.ok()) << appended.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto entries = read_all(*store_);
  EXPECT_EQ(entries.size(), 80u);
  Status verified = verify_audit_chain(entries);
  EXPECT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(other->close().ok());
}

TEST_P(StoreConformanceTest, AuditRejectsBadInputAndStampsMissingTime) {
  migrate();
  NewAuditEntry bad = entry("", "x");
  EXPECT_EQ(store_->append_audit(bad).code(), ErrorCode::kInvalidRequest);
  bad = entry("key.revoke", "x");
  bad.detail_json = "not json";
  EXPECT_EQ(store_->append_audit(bad).code(), ErrorCode::kInvalidRequest);
  NewAuditEntry now = entry("key.revoke", "x");
  now.at.clear();
  auto appended = store_->append_audit(now);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_EQ(appended->seq, 1);
  EXPECT_EQ(appended->at.size(), 24u) << appended->at;
  EXPECT_EQ(store_->list_audit(1, 0).code(), ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace osprey::store::testing
