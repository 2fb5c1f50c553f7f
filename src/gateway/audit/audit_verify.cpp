#include "gateway/audit/audit_verify.h"

#include <charconv>
#include <map>
#include <vector>

#include "store/audit_anchor.h"

namespace osprey::gateway {
namespace {

constexpr int kPage = 1000;

struct Anchor {
  std::int64_t seq = 0;
  std::string hash;
};

Result<Anchor> parse_anchor(std::string_view what, const std::string& text) {
  const auto colon = text.find(':');
  Anchor anchor;
  if (colon != std::string::npos) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + colon, anchor.seq);
    if (ec == std::errc() && ptr == text.data() + colon && anchor.seq > 0) {
      anchor.hash = text.substr(colon + 1);
      if (!anchor.hash.empty()) return anchor;
    }
  }
  return make_error(ErrorCode::kConflict,
                    std::string(what) + " is not \"<seq>:<hash>\": \"" + text + "\"");
}

}  // namespace

Result<AuditVerified> verify_audit_log(store::Store& store,
                                       const std::optional<std::string>& external_anchor) {
  std::vector<Anchor> anchors;
  std::vector<std::string> anchor_names;
  Result<std::optional<std::string>> stored = store.get_setting(store::kAuditAnchorSetting);
  if (!stored) return stored.error();
  if (stored->has_value()) {
    Result<Anchor> a = parse_anchor("the stored anchor", **stored);
    if (!a) return a.error();
    anchors.push_back(*a);
    anchor_names.emplace_back("the stored anchor");
  }
  if (external_anchor) {
    Result<Anchor> a = parse_anchor("--anchor", *external_anchor);
    if (!a) return a.error();
    anchors.push_back(*a);
    anchor_names.emplace_back("--anchor");
  }
  // seq -> hash of the entries the anchors name, filled while walking the log.
  std::map<std::int64_t, std::string> seen;
  for (const Anchor& a : anchors) seen[a.seq];

  AuditVerified out;
  AuditChainStart start;
  while (true) {
    Result<std::vector<AuditEntry>> page = store.list_audit(start.seq, kPage);
    if (!page) return page.error();
    if (page->empty()) break;
    if (Status st = verify_audit_chain(*page, start); !st.ok()) return st.error();
    for (const AuditEntry& e : *page) {
      if (auto it = seen.find(e.seq); it != seen.end()) it->second = e.hash;
    }
    out.entries += static_cast<std::int64_t>(page->size());
    start.seq = page->back().seq + 1;
    start.prev_hash = page->back().hash;
    out.last_anchor = std::to_string(page->back().seq) + ":" + page->back().hash;
    if (page->size() < static_cast<std::size_t>(kPage)) break;
  }
  // A gap at the start (entry 1 deleted) shows as the first entry not being seq 1.
  for (std::size_t i = 0; i < anchors.size(); ++i) {
    const Anchor& a = anchors[i];
    const std::int64_t last = start.seq - 1;
    if (a.seq > last) {
      return make_error(ErrorCode::kConflict, "audit entry " + std::to_string(last + 1) +
                                                  ": missing (" + anchor_names[i] +
                                                  " names entry " + std::to_string(a.seq) +
                                                  " but the log ends at " + std::to_string(last) +
                                                  "): the newest entries were deleted");
    }
    if (seen[a.seq] != a.hash) {
      return make_error(ErrorCode::kConflict, "audit entry " + std::to_string(a.seq) +
                                                  ": hash differs from " + anchor_names[i]);
    }
  }
  return out;
}

}  // namespace osprey::gateway
