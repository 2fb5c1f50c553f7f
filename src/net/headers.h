#pragma once
// Headers: an ordered list of HTTP header fields with case-insensitive lookup.
// Names and values live side by side in one byte buffer, with a small index of where each field
// sits: filling a message's fields costs two allocations, not one or two per field, and a
// request's fields share a few cache lines instead of a scattered string each.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace osprey::net {

class Headers {
  struct Slot {
    std::uint32_t name_at, name_size, value_at, value_size;
  };

 public:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  // The fields in order, as views valid until the Headers next changes.
  class FieldList {
   public:
    class iterator {
     public:
      iterator(const Headers* h, const Slot* s) : h_(h), s_(s) {}
      Field operator*() const { return h_->field(*s_); }
      iterator& operator++() {
        ++s_;
        return *this;
      }
      bool operator==(const iterator& other) const { return s_ == other.s_; }

     private:
      const Headers* h_;
      const Slot* s_;
    };
    explicit FieldList(const Headers& h) : h_(&h) {}
    iterator begin() const { return {h_, h_->slots_.data()}; }
    iterator end() const { return {h_, h_->slots_.data() + h_->slots_.size()}; }
    std::size_t size() const { return h_->slots_.size(); }
    bool empty() const { return h_->slots_.empty(); }
    Field operator[](std::size_t i) const { return h_->field(h_->slots_[i]); }

   private:
    const Headers* h_;
  };

  // Returns the first value of `name` (case-insensitive), or empty if absent.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  void erase(std::string_view name);
  // Room for `n` fields of `bytes` name and value bytes in all, so copying a parsed message's
  // fields allocates once for each.
  void reserve(std::size_t n, std::size_t bytes = 0) {
    slots_.reserve(n);
    bytes_.reserve(bytes);
  }

  FieldList fields() const { return FieldList(*this); }
  bool empty() const { return slots_.empty(); }

 private:
  Field field(const Slot& s) const {
    return {std::string_view(bytes_.data() + s.name_at, s.name_size),
            std::string_view(bytes_.data() + s.value_at, s.value_size)};
  }
  // Rewrites bytes_ with only the live fields' bytes.
  void compact();

  std::string bytes_;
  std::vector<Slot> slots_;
  std::size_t dead_bytes_ = 0;  // bytes_ no slot points at any more (erased fields)
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace osprey::net
