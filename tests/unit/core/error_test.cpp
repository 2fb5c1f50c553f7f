#include "core/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace osprey {
namespace {

TEST(ErrorTaxonomy, EveryCodeHasAUniqueNameAndAnHttpStatus) {
  std::set<std::string> names;
  for (int i = 0; i < kErrorCodeCount; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const ErrorInfo& info = error_info(code);
    EXPECT_FALSE(info.name.empty());
    EXPECT_TRUE(names.insert(std::string(info.name)).second) << info.name;
    EXPECT_GE(info.http_status, 400);
    EXPECT_LT(info.http_status, 600);
    ErrorCode parsed{};
    ASSERT_TRUE(parse_error_code(info.name, &parsed));
    EXPECT_EQ(parsed, code);
  }
}

TEST(ErrorTaxonomy, KnownCodesMapToTheirStatus) {
  EXPECT_EQ(http_status(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(http_status(ErrorCode::kBudgetExceeded), 429);
  EXPECT_EQ(code_name(ErrorCode::kQueueTimeout), "queue_timeout");
  ErrorCode out{};
  EXPECT_FALSE(parse_error_code("no_such_code", &out));
}

}  // namespace
}  // namespace osprey
