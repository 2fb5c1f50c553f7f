#include "experiments/viewer_assets.h"

#include <gtest/gtest.h>

#include <string>

namespace osprey::experiments {
namespace {

TEST(ViewerAssets, EveryFileThePageLoadsIsEmbedded) {
  const std::string html(viewer_asset("index.html"));
  ASSERT_FALSE(html.empty());
  EXPECT_NE(html.find("src=\"viewer.js\""), std::string::npos);
  EXPECT_NE(html.find("href=\"viewer.css\""), std::string::npos);
  EXPECT_FALSE(viewer_asset("viewer.js").empty());
  EXPECT_FALSE(viewer_asset("viewer.css").empty());
  EXPECT_TRUE(viewer_asset("missing.js").empty());
}

TEST(ViewerAssets, NothingIsLoadedFromAnotherOrigin) {
  // No CDN: the page must work on a machine without internet access.
  for (const char* name : {"index.html", "viewer.js", "viewer.css"}) {
    const std::string text(viewer_asset(name));
    EXPECT_EQ(text.find("http://"), std::string::npos) << name;
    EXPECT_EQ(text.find("https://"), std::string::npos) << name;
  }
}

TEST(ViewerAssets, KeyIsSentAsBearerAndKeptForTheSessionOnly) {
  const std::string js(viewer_asset("viewer.js"));
  EXPECT_NE(js.find("sessionStorage"), std::string::npos);
  EXPECT_EQ(js.find("localStorage"), std::string::npos);
  EXPECT_NE(js.find("'Bearer '"), std::string::npos);
}

}  // namespace
}  // namespace osprey::experiments
