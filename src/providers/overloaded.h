#pragma once
// Overloaded: the usual lambda-set visitor for std::visit over our variants.
namespace osprey::providers {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace osprey::providers
