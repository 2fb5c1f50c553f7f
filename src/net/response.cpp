#include "net/response.h"

#include <nlohmann/json.hpp>

#include <utility>

namespace osprey::net {

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", content_type);
  r.body = std::move(body);
  return r;
}

Response Response::error(const Error& error, std::string_view request_id) {
  return json(http_status(error.code), error_body(error, request_id));
}

Response Response::sse(std::function<Task<void>(EventStream&)> producer) {
  Response r;
  r.status = 200;
  r.stream = std::move(producer);
  return r;
}

std::string error_body(const Error& error, std::string_view request_id) {
  const ErrorInfo& info = error_info(error.code);
  nlohmann::json body = {
      {"error",
       {{"code", info.name},
        {"message", error.message},
        {"type", info.openai_type},
        {"param", error.param.empty() ? nlohmann::json(nullptr) : nlohmann::json(error.param)},
        {"request_id", request_id}}}};
  // Replace invalid UTF-8 (a message may quote client bytes) instead of throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace osprey::net
