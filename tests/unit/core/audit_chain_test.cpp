#include "core/audit_chain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace osprey {
namespace {

using ::testing::HasSubstr;

std::vector<AuditEntry> chain_of(int count) {
  std::vector<AuditEntry> entries;
  std::string prev(kAuditGenesisHash);
  for (int i = 1; i <= count; ++i) {
    AuditEntry e;
    e.seq = i;
    e.at = "2026-11-25T10:00:0" + std::to_string(i % 10) + ".000Z";
    e.actor = "admin:alice";
    e.action = "key.create";
    e.target = "tenant:acme";
    e.detail_json = R"({"key_id":)" + std::to_string(i) + "}";
    e.prev_hash = prev;
    e.hash = audit_entry_hash(prev, e);
    prev = e.hash;
    entries.push_back(e);
  }
  return entries;
}

TEST(AuditChainTest, IntactChainVerifies) {
  const auto entries = chain_of(5);
  EXPECT_TRUE(verify_audit_chain(entries).ok());
  EXPECT_TRUE(verify_audit_chain(std::vector<AuditEntry>{}).ok());
}

TEST(AuditChainTest, HashDependsOnEveryFieldAndThePreviousHash) {
  const AuditEntry base = chain_of(1)[0];
  const std::string h = audit_entry_hash(kAuditGenesisHash, base);
  auto changed = [&](auto mutate) {
    AuditEntry e = base;
    mutate(e);
    return audit_entry_hash(kAuditGenesisHash, e);
  };
  EXPECT_NE(changed([](AuditEntry& e) { e.seq = 2; }), h);
  EXPECT_NE(changed([](AuditEntry& e) { e.at += "x"; }), h);
  EXPECT_NE(changed([](AuditEntry& e) { e.actor = "admin:bob"; }), h);
  EXPECT_NE(changed([](AuditEntry& e) { e.action = "key.revoke"; }), h);
  EXPECT_NE(changed([](AuditEntry& e) { e.target = "tenant:other"; }), h);
  EXPECT_NE(changed([](AuditEntry& e) { e.detail_json = "{}"; }), h);
  EXPECT_NE(audit_entry_hash(std::string(64, '1'), base), h);
  // Field boundaries are unambiguous: moving text between fields changes the hash.
  EXPECT_NE(changed([](AuditEntry& e) {
              e.actor = "admin:alicekey.create";
              e.action = "";
            }),
            h);
}

TEST(AuditChainTest, EditedEntryIsNamed) {
  auto entries = chain_of(5);
  entries[2].actor = "admin:mallory";
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kConflict);
  EXPECT_THAT(s.error().message, HasSubstr("seq 3"));
  EXPECT_THAT(s.error().message, HasSubstr("edited"));
}

TEST(AuditChainTest, EditWithRecomputedHashIsCaughtAtTheNextEntry) {
  auto entries = chain_of(5);
  entries[1].detail_json = "{}";
  entries[1].hash = audit_entry_hash(entries[1].prev_hash, entries[1]);
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("seq 3"));
  EXPECT_THAT(s.error().message, HasSubstr("prev_hash"));
}

TEST(AuditChainTest, DeletedEntryIsNamedByTheEntryAfterTheGap) {
  auto entries = chain_of(5);
  entries.erase(entries.begin() + 1);
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("seq 3"));
  EXPECT_THAT(s.error().message, HasSubstr("missing"));
}

TEST(AuditChainTest, DeletedFirstEntryIsDetected) {
  auto entries = chain_of(3);
  entries.erase(entries.begin());
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("seq 2"));
}

TEST(AuditChainTest, ReorderedEntriesAreDetected) {
  auto entries = chain_of(4);
  std::swap(entries[1], entries[2]);
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("seq 3"));
}

TEST(AuditChainTest, DeleteWithRenumberingIsCaughtByPrevHash) {
  auto entries = chain_of(4);
  entries.erase(entries.begin() + 1);
  entries[1].seq = 2;  // renumbered, but its prev_hash still names the deleted entry
  entries[2].seq = 3;
  Status s = verify_audit_chain(entries);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("seq 2"));
}

TEST(AuditChainTest, WindowVerifiesFromAGivenStart) {
  const auto entries = chain_of(6);
  const std::span<const AuditEntry> all(entries);
  ASSERT_TRUE(verify_audit_chain(all.first(3)).ok());
  AuditChainStart next{4, entries[2].hash};
  EXPECT_TRUE(verify_audit_chain(all.subspan(3), next).ok());
  EXPECT_FALSE(verify_audit_chain(all.subspan(3)).ok());  // not from genesis
}

TEST(AuditChainTest, InvalidUtf8DoesNotCrash) {
  auto entries = chain_of(1);
  entries[0].detail_json = std::string("\xff\xfe", 2);
  entries[0].hash = audit_entry_hash(entries[0].prev_hash, entries[0]);
  EXPECT_TRUE(verify_audit_chain(entries).ok());
}

}  // namespace
}  // namespace osprey
