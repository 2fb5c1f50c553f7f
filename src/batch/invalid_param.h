#pragma once
// The batch API's 400s name the request field at fault (OpenAI's error "param").
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey::batch {

// kInvalidRequest "<param>: <message>" with Error::param set.
inline Error invalid_param(std::string param, std::string_view message) {
  std::string text = param + ": ";
  text.append(message);
  Error e = make_error(ErrorCode::kInvalidRequest, std::move(text));
  e.param = std::move(param);
  return e;
}

}  // namespace osprey::batch
