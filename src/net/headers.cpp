#include "net/headers.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace osprey::net {
namespace {

constexpr std::size_t kFirstBytes = 256;
constexpr std::size_t kFirstSlots = 8;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool points_into(std::string_view part, const std::string& bytes) {
  const std::less<const char*> before;
  return !part.empty() && !before(part.data(), bytes.data()) &&
         before(part.data(), bytes.data() + bytes.size());
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Equal bytes need no folding: most names compared already agree in case.
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view Headers::get(std::string_view name) const {
  for (const Slot& s : slots_) {
    const Field f = field(s);
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

bool Headers::has(std::string_view name) const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& s) { return iequals(field(s).name, name); });
}

void Headers::set(std::string_view name, std::string_view value) {
  erase(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  if (points_into(name, bytes_) || points_into(value, bytes_)) {
    // A view of our own bytes (h.set("a", h.get("b"))) would not survive compaction or growth.
    const std::string copy = std::string(name).append(value);
    add(std::string_view(copy).substr(0, name.size()), std::string_view(copy).substr(name.size()));
    return;
  }
  if (dead_bytes_ > bytes_.size() / 2) compact();
  // A message's fields rarely pass a few hundred bytes: one allocation for them in most cases,
  // not one per doubling.
  const std::size_t need = bytes_.size() + name.size() + value.size();
  if (need > bytes_.capacity())
    bytes_.reserve(std::max({need, 2 * bytes_.capacity(), kFirstBytes}));
  if (slots_.size() == slots_.capacity()) slots_.reserve(std::max(2 * slots_.size(), kFirstSlots));
  const auto at = static_cast<std::uint32_t>(bytes_.size());
  const auto name_size = static_cast<std::uint32_t>(name.size());
  bytes_.append(name).append(value);
  slots_.push_back({at, name_size, at + name_size, static_cast<std::uint32_t>(value.size())});
}

void Headers::erase(std::string_view name) {
  std::erase_if(slots_, [&](const Slot& s) {
    if (!iequals(field(s).name, name)) return false;
    dead_bytes_ += s.name_size + s.value_size;
    return true;
  });
}

void Headers::compact() {
  // Slots sit in the buffer in their own order, so each live field moves only towards the front.
  std::uint32_t at = 0;
  for (Slot& s : slots_) {
    const std::uint32_t size = s.name_size + s.value_size;
    std::memmove(bytes_.data() + at, bytes_.data() + s.name_at, size);
    s.name_at = at;
    s.value_at = at + s.name_size;
    at += size;
  }
  bytes_.resize(at);
  dead_bytes_ = 0;
}

}  // namespace osprey::net
