#include "review/review_plan.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace osprey::review {
namespace {

bool any_file_matches(const std::vector<Glob>& globs, const std::vector<RepoFile>& files) {
  return std::any_of(files.begin(), files.end(),
                     [&](const RepoFile& f) { return matches_any(globs, f.path); });
}

const std::vector<Glob>& first_set(const std::vector<Glob>& a, const std::vector<Glob>& b,
                                   const std::vector<Glob>& c) {
  if (!a.empty()) return a;
  if (!b.empty()) return b;
  return c;
}

std::string custom_id(std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "review-%06zu", n);
  return buf;
}

// The rules that can apply in this repository (category applies, language present).
std::vector<const Rule*> active_rules(const RuleSet& rules, const std::vector<RepoFile>& files,
                                      ReviewPlan& plan) {
  std::set<std::string> present;
  for (const Language& lang : rules.languages) {
    if (any_file_matches(lang.default_patterns, files)) {
      present.insert(lang.name);
      plan.languages.push_back(lang.name);
    }
  }
  std::set<std::string> applying;
  for (const Category& cat : rules.categories) {
    const bool has_language = std::any_of(cat.languages.begin(), cat.languages.end(),
                                          [&](const std::string& l) { return present.count(l); });
    const bool exists = std::all_of(cat.exists.begin(), cat.exists.end(),
                                    [&](const Glob& g) { return any_file_matches({g}, files); });
    if (has_language && exists) {
      applying.insert(cat.name);
      plan.categories.push_back(cat.name);
    }
  }
  std::vector<const Rule*> active;
  for (const Rule& rule : rules.rules) {
    if (applying.count(rule.category) && present.count(rule.language)) active.push_back(&rule);
  }
  return active;
}

bool rule_applies(const RuleSet& rules, const Rule& rule, const std::string& path) {
  const Category& cat = *rules.category(rule.category);
  const Language& lang = *rules.language(rule.language);
  const auto& include = first_set(rule.patterns, cat.default_patterns, lang.default_patterns);
  const auto& exclude =
      first_set(rule.exclude_patterns, cat.default_exclude_patterns, lang.default_exclude_patterns);
  return matches_any(include, path) && !matches_any(exclude, path);
}

}  // namespace

ReviewIssue task_issue(const ReviewTask& task, std::string code, std::string message) {
  return ReviewIssue{.file = task.file,
                     .rule_ids = task.rule_ids,
                     .custom_id = task.custom_id,
                     .code = std::move(code),
                     .message = std::move(message)};
}

ReviewPlan plan_review(const RuleSet& rules, const std::vector<RepoFile>& files,
                       const PlanOptions& options) {
  ReviewPlan plan;
  plan.files_in_repository = files.size();
  const std::vector<const Rule*> active = active_rules(rules, files, plan);
  const std::size_t per_request = std::max<std::size_t>(1, options.max_rules_per_request);
  std::map<std::string, std::uint64_t, std::less<>> sizes;
  for (const RepoFile& file : files) sizes[file.path] = file.size;
  for (const RepoFile& file : files) {
    // Group key: category, then the context files (rules sharing both share a request).
    std::map<std::pair<std::string, std::vector<std::string>>, std::vector<const Rule*>> groups;
    std::vector<std::pair<std::string, std::vector<std::string>>> order;
    std::vector<std::string> all_rules;
    for (const Rule* rule : active) {
      if (!rule_applies(rules, *rule, file.path)) continue;
      std::vector<std::string> context;
      if (!rule->context_patterns.empty()) {
        for (const RepoFile& other : files) {
          if (other.path != file.path && matches_any(rule->context_patterns, other.path)) {
            context.push_back(other.path);
          }
        }
      }
      auto key = std::make_pair(rule->category, std::move(context));
      auto [it, inserted] = groups.try_emplace(key);
      if (inserted) order.push_back(key);
      it->second.push_back(rule);
      all_rules.push_back(rule->id);
    }
    if (all_rules.empty()) continue;
    ++plan.files_to_review;
    if (file.size > options.max_file_bytes) {
      plan.issues.push_back({.file = file.path,
                             .rule_ids = all_rules,
                             .custom_id = {},
                             .code = "file_too_large",
                             .message = std::to_string(file.size) + " bytes is over the " +
                                        std::to_string(options.max_file_bytes) + "-byte limit"});
      continue;
    }
    for (const auto& key : order) {
      const std::vector<const Rule*>& group = groups[key];
      // Context files in path order until a count or byte limit; the rest are named only.
      std::vector<std::string> context, omitted;
      std::uint64_t context_bytes = 0;
      for (const std::string& path : key.second) {
        const std::uint64_t size = sizes.at(path);
        if (context.size() < options.max_context_files && size <= options.max_file_bytes &&
            context_bytes + size <= options.max_context_bytes) {
          context.push_back(path);
          context_bytes += size;
        } else {
          omitted.push_back(path);
        }
      }
      for (std::size_t start = 0; start < group.size(); start += per_request) {
        ReviewTask task;
        task.custom_id = custom_id(plan.tasks.size() + 1);
        task.file = file.path;
        task.category = key.first;
        for (std::size_t i = start; i < std::min(group.size(), start + per_request); ++i) {
          task.rule_ids.push_back(group[i]->id);
        }
        task.context_files = context;
        task.omitted_context = omitted;
        plan.tasks.push_back(std::move(task));
      }
    }
  }
  return plan;
}

}  // namespace osprey::review
