// Files part of the Store conformance suite: ownership, replacement, listing order and paging,
// deletion, tenant scoping, bad input.
#include <gtest/gtest.h>

#include "unit/store/store_conformance.h"

namespace osprey::store::testing {
namespace {

FileRecord file(std::string id, std::int64_t tenant, std::string purpose = "batch") {
  return FileRecord{.id = std::move(id),
                    .tenant_id = tenant,
                    .purpose = std::move(purpose),
                    .filename = "input.jsonl",
                    .bytes = 42,
                    .created_at = 1764000000};
}

std::vector<std::string> ids(const std::vector<FileRecord>& files) {
  std::vector<std::string> out;
  for (const FileRecord& f : files) out.push_back(f.id);
  return out;
}

TEST_P(StoreConformanceTest, FilesAreStoredScopedAndListedNewestFirst) {
  migrate();
  const std::int64_t acme = store_->create_tenant("acme", "{}")->id;
  const std::int64_t other = store_->create_tenant("other", "{}")->id;
  ASSERT_TRUE(store_->put_file(file("file-a", acme)).ok());
  ASSERT_TRUE(store_->put_file(file("file-b", acme, "batch_output")).ok());
  ASSERT_TRUE(store_->put_file(file("file-c", acme)).ok());
  ASSERT_TRUE(store_->put_file(file("file-x", other)).ok());

  auto got = store_->get_file(acme, "file-b");
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->tenant_id, acme);
  EXPECT_EQ((*got)->purpose, "batch_output");
  EXPECT_EQ((*got)->filename, "input.jsonl");
  EXPECT_EQ((*got)->bytes, 42);
  EXPECT_EQ((*got)->created_at, 1764000000);
  EXPECT_FALSE(store_->get_file(other, "file-b")->has_value());  // another tenant's
  EXPECT_TRUE(store_->get_file(std::nullopt, "file-b")->has_value());

  auto all = store_->list_files({.tenant_id = acme});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ids(*all), (std::vector<std::string>{"file-c", "file-b", "file-a"}));
  auto page = store_->list_files({.tenant_id = acme, .after_id = "file-c", .limit = 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(ids(*page), (std::vector<std::string>{"file-b"}));
  auto inputs = store_->list_files({.tenant_id = acme, .purpose = "batch"});
  EXPECT_EQ(ids(*inputs), (std::vector<std::string>{"file-c", "file-a"}));
  EXPECT_EQ(store_->list_files({}).value().size(), 4u);
}

TEST_P(StoreConformanceTest, FileReplacedByItsOwnerAndRefusedToAnother) {
  migrate();
  const std::int64_t acme = store_->create_tenant("acme", "{}")->id;
  const std::int64_t other = store_->create_tenant("other", "{}")->id;
  ASSERT_TRUE(store_->put_file(file("file-out", acme)).ok());
  FileRecord rewritten = file("file-out", acme, "batch_output");
  rewritten.bytes = 7;
  ASSERT_TRUE(store_->put_file(rewritten).ok());
  EXPECT_EQ(store_->get_file(acme, "file-out").value()->bytes, 7);
  EXPECT_EQ(store_->list_files({.tenant_id = acme}).value().size(), 1u);

  Status taken = store_->put_file(file("file-out", other));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.code(), ErrorCode::kConflict);
  EXPECT_EQ(store_->get_file(acme, "file-out").value()->tenant_id, acme);
}

TEST_P(StoreConformanceTest, FileDeletedOnlyByItsTenant) {
  migrate();
  const std::int64_t acme = store_->create_tenant("acme", "{}")->id;
  const std::int64_t other = store_->create_tenant("other", "{}")->id;
  ASSERT_TRUE(store_->put_file(file("file-a", acme)).ok());
  EXPECT_FALSE(store_->delete_file(other, "file-a").value());
  EXPECT_TRUE(store_->delete_file(acme, "file-a").value());
  EXPECT_FALSE(store_->delete_file(acme, "file-a").value());
  EXPECT_FALSE(store_->get_file(acme, "file-a")->has_value());
}

TEST_P(StoreConformanceTest, BadFileInputIsRefused) {
  migrate();
  const std::int64_t acme = store_->create_tenant("acme", "{}")->id;
  EXPECT_EQ(store_->put_file(file("", acme)).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->put_file(file("file-a", acme, "")).code(), ErrorCode::kInvalidRequest);
  FileRecord negative = file("file-a", acme);
  negative.bytes = -1;
  EXPECT_EQ(store_->put_file(negative).code(), ErrorCode::kInvalidRequest);
  EXPECT_EQ(store_->put_file(file("file-a", acme + 100)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_files({.limit = 0}).code(), ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace osprey::store::testing
