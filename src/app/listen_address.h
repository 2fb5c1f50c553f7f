#pragma once
// Splits a validated `server.listen` value ("host:port" or "[v6]:port") into its parts.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace osprey::app {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen_address(std::string_view value);

}  // namespace osprey::app
