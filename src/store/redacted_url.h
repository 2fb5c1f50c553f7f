#pragma once
// redact_url: a store URL safe to put in logs and error messages (passwords replaced by "***").
#include <string>
#include <string_view>

namespace osprey::store {

// Hides the password of "scheme://user:password@host/..." and any "password=" query or
// key/value parameter. Other parts are kept so an operator can still tell which database failed.
std::string redact_url(std::string_view url);

}  // namespace osprey::store
