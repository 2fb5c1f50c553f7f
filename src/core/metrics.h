#pragma once
// Metrics registry: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format 0.0.4. Thread-safe. Updating a metric you hold (inc/set/observe) is lock-free;
// looking up a labelled child is lock-free when the calling thread asked that family for the same
// labels last time (the common case on the request path), and takes the family's mutex otherwise.
// References stay valid for the registry's lifetime.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace osprey::metrics {

// Monotonic. inc() ignores negative and NaN amounts.
class Counter {
 public:
  void inc(double v = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: sorted, finite upper bounds, owned by the family and outliving this histogram.
  explicit Histogram(const std::vector<double>* bounds);
  void observe(double v);  // NaN is ignored
  std::uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  // Cumulative counts per bound, then the +Inf bucket (== count()).
  std::vector<std::uint64_t> cumulative_counts() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  const std::vector<double>* bounds_;
  std::vector<std::atomic<std::uint64_t>> buckets_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0};
};

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  // Unique for the life of the process (never reused, unlike an address).
  std::uint64_t id() const { return id_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends the HELP and TYPE lines and every child's samples.
  virtual void render(std::string& out) const = 0;

 protected:
  // Pads or truncates (logging the bug) so a wrong label count never crashes.
  std::vector<std::string> fit_labels(std::vector<std::string> values) const;
  std::string name_, help_, type_;
  std::vector<std::string> label_names_;

 private:
  std::uint64_t id_;
};

// Orders label-value lists; transparent, so a lookup by string_views allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

// All children of one metric name. T is Counter, Gauge or Histogram.
template <class T>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         std::vector<double> bounds = {});

  // The child for these label values (in label_names order), created on first use.
  // REQUIRES: one value per label name.
  T& with(std::initializer_list<std::string_view> label_values);
  T& with(const std::vector<std::string>& label_values);
  T& with() { return with(std::vector<std::string>{}); }

  void render(std::string& out) const override;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  // The child for `values` (one entry per label name): from this thread's memo of the family's
  // last answer when the labels match, else child_locked() under mu_.
  template <class Values>
  T& child(const Values& values);
  // Finds or creates the child; `values` has one entry per label name. REQUIRES: mu_ held.
  template <class Values>
  const std::pair<const std::vector<std::string>, std::unique_ptr<T>>& child_locked(
      const Values& values);

  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;       // guards children_ (the map, not the atomics inside children)
  // Children are never removed, so their nodes (label values and child) stay put: the memo may
  // read them without mu_.
  std::map<std::vector<std::string>, std::unique_ptr<T>, LabelValuesLess> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Counter names end in "_total" ("_total" is appended if missing). Registering a name again
  // returns the same family. REQUIRES: same type and label names; a mismatch is a bug that is
  // logged, and the caller gets a working family that is not rendered.
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  // `buckets`: upper bounds; sorted and deduplicated here, +Inf implied; empty means
  // latency_buckets_seconds().
  Family<Histogram>& histogram(std::string name, std::string help,
                               std::vector<std::string> label_names, std::vector<double> buckets);

  // Run before each render (e.g. to refresh process gauges). May use this registry.
  void add_collector(std::function<void()> fn);

  // Text format 0.0.4, families sorted by name.
  std::string render();

 private:
  template <class T>
  Family<T>& get_or_add(std::string name, std::string help, const char* type,
                        std::vector<std::string> label_names, std::vector<double> bounds);

  std::mutex mu_;  // guards families_ and orphans_
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  std::vector<std::unique_ptr<FamilyBase>> orphans_;
  std::mutex collectors_mu_;  // guards collectors_
  std::vector<std::function<void()>> collectors_;
};

// Request latency buckets in seconds, 0.0005 ... 60.
std::vector<double> latency_buckets_seconds();

// Number formatting used by render(): shortest round-trip, "+Inf", "-Inf", "NaN".
std::string format_value(double v);

}  // namespace osprey::metrics
