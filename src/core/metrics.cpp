#include "core/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "core/log.h"

namespace osprey::metrics {
namespace {

// The hot path promises no locks.
static_assert(std::atomic<double>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// A bad name is a programming error: log it and keep going with a valid name.
std::string checked_name(std::string name, bool allow_colon, std::string_view what) {
  if (valid_name(name, allow_colon)) return name;
  std::string fixed = name.empty() ? "_" : name;
  for (std::size_t i = 0; i < fixed.size(); ++i) {
    if (!valid_name(std::string_view(fixed).substr(0, i + 1), allow_colon)) fixed[i] = '_';
  }
  log::error("bug: invalid metric name", {{"what", what}, {"name", name}, {"used", fixed}});
  return fixed;
}

void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",le="0.5"}` or "" when there are no labels.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view value,
                   std::string_view le = {}) {
  out += name;
  append_labels(out, names, values, le);
  out += ' ';
  out += value;
  out += '\n';
}

std::vector<double> clean_bounds(std::vector<double> bounds) {
  if (bounds.empty()) bounds = latency_buckets_seconds();
  std::erase_if(bounds, [](double b) { return !std::isfinite(b); });  // +Inf is implied
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  return std::string(buf, ptr);
}

std::vector<double> latency_buckets_seconds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5,    1,     2.5,    5,     10,   20,    30,   60};
}

void Counter::inc(double v) {
  if (!(v > 0)) return;  // also rejects NaN
  value_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(bounds->size() + 1) {}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), v);  // first bound >= v
  buckets_[static_cast<std::size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  return total;
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out;
  out.reserve(buckets_.size());
  std::uint64_t running = 0;
  for (const auto& b : buckets_) {
    running += b.load(std::memory_order_relaxed);
    out.push_back(running);
  }
  return out;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::string type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {
  static std::atomic<std::uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  for (auto& label : label_names) {
    std::string fixed = checked_name(std::move(label), false, "label");
    if (fixed.starts_with("__") || (type_ == "histogram" && fixed == "le")) {
      log::error("bug: reserved metric label name", {{"metric", name_}, {"label", fixed}});
      fixed = "x" + fixed;
    }
    label_names_.push_back(std::move(fixed));
  }
}

std::vector<std::string> FamilyBase::fit_labels(std::vector<std::string> values) const {
  if (values.size() != label_names_.size()) {
    log::error("bug: wrong number of metric label values",
               {{"metric", name_}, {"expected", label_names_.size()}, {"got", values.size()}});
    values.resize(label_names_.size());
  }
  return values;
}

template <class T>
Family<T>::Family(std::string name, std::string help, std::string type,
                  std::vector<std::string> label_names, std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), std::move(type), std::move(label_names)),
      bounds_(std::move(bounds)) {
  if (label_names_.empty()) with();  // an unlabelled metric is rendered from the start
}

template <class T>
template <class Values>
const std::pair<const std::vector<std::string>, std::unique_ptr<T>>& Family<T>::child_locked(
    const Values& values) {
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::unique_ptr<T> child;
    if constexpr (std::is_same_v<T, Histogram>) {
      child = std::make_unique<Histogram>(&bounds_);
    } else {
      child = std::make_unique<T>();
    }
    it = children_.emplace(std::vector<std::string>(values.begin(), values.end()), std::move(child))
             .first;
  }
  return *it;
}

template <class T>
template <class Values>
T& Family<T>::child(const Values& values) {
  // One slot per family (by id, modulo the size): a thread asks a few families, mostly for the
  // labels it asked last time. A slot names the family by id, so one that was destroyed (and
  // whose address was reused) never matches.
  struct MemoSlot {
    std::uint64_t family_id = 0;
    const std::vector<std::string>* values = nullptr;  // key of the child's node
    T* child = nullptr;
  };
  thread_local std::array<MemoSlot, 16> memo;
  MemoSlot& slot = memo[id() % memo.size()];
  if (slot.family_id == id() &&
      std::equal(values.begin(), values.end(), slot.values->begin(), slot.values->end(),
                 [](std::string_view a, std::string_view b) { return a == b; })) {
    return *slot.child;
  }
  std::lock_guard lock(mu_);
  const auto& node = child_locked(values);
  slot = MemoSlot{id(), &node.first, node.second.get()};
  return *node.second;
}

template <class T>
T& Family<T>::with(std::initializer_list<std::string_view> label_values) {
  if (label_values.size() != label_names_.size()) {
    return with(std::vector<std::string>(label_values.begin(), label_values.end()));
  }
  return child(label_values);
}

template <class T>
T& Family<T>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) return child(fit_labels(label_values));
  return child(label_values);
}

template <class T>
void Family<T>::render(std::string& out) const {
  out += "# HELP " + name_ + " ";
  append_escaped(out, help_, false);
  out += "\n# TYPE " + name_ + " " + type_ + "\n";
  std::lock_guard lock(mu_);
  for (const auto& [labels, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const auto counts = child->cumulative_counts();
      for (std::size_t i = 0; i < bounds_.size(); ++i) {
        append_sample(out, name_ + "_bucket", label_names_, labels, std::to_string(counts[i]),
                      format_value(bounds_[i]));
      }
      append_sample(out, name_ + "_bucket", label_names_, labels, std::to_string(counts.back()),
                    "+Inf");
      append_sample(out, name_ + "_sum", label_names_, labels, format_value(child->sum()));
      append_sample(out, name_ + "_count", label_names_, labels, std::to_string(counts.back()));
    } else {
      append_sample(out, name_, label_names_, labels, format_value(child->value()));
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class T>
Family<T>& Registry::get_or_add(std::string name, std::string help, const char* type,
                                std::vector<std::string> label_names, std::vector<double> bounds) {
  name = checked_name(std::move(name), true, "metric");
  auto fresh = std::make_unique<Family<T>>(name, std::move(help), type, std::move(label_names),
                                           std::move(bounds));
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto& family = *fresh;
    families_.emplace(name, std::move(fresh));
    return family;
  }
  auto* existing = dynamic_cast<Family<T>*>(it->second.get());
  if (existing != nullptr && existing->label_names() == fresh->label_names() &&
      existing->bounds() == fresh->bounds()) {
    return *existing;
  }
  log::error("bug: metric registered twice with a different shape",
             {{"metric", name}, {"type", type}});
  auto& orphan = *fresh;
  orphans_.push_back(std::move(fresh));
  return orphan;
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  if (!name.ends_with("_total")) name += "_total";
  return get_or_add<Counter>(std::move(name), std::move(help), "counter", std::move(label_names),
                             {});
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  return get_or_add<Gauge>(std::move(name), std::move(help), "gauge", std::move(label_names), {});
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> buckets) {
  return get_or_add<Histogram>(std::move(name), std::move(help), "histogram",
                               std::move(label_names), clean_bounds(std::move(buckets)));
}

void Registry::add_collector(std::function<void()> fn) {
  std::lock_guard lock(collectors_mu_);
  collectors_.push_back(std::move(fn));
}

std::string Registry::render() {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(collectors_mu_);
    collectors = collectors_;
  }
  for (const auto& fn : collectors) fn();  // unlocked: a collector may register metrics
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->render(out);
  return out;
}

}  // namespace osprey::metrics
