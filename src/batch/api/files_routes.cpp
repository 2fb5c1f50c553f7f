#include "batch/api/batch_routes.h"
#include "batch/api/route_params.h"
#include "net/multipart.h"

namespace osprey::batch {
namespace {

using net::Request;
using net::Response;
using net::Task;
using nlohmann::json;

json file_view(const store::FileRecord& file) {
  return {{"id", file.id},
          {"object", "file"},
          {"bytes", file.bytes},
          {"created_at", file.created_at},
          {"filename", file.filename},
          {"purpose", file.purpose},
          {"status", "processed"},
          {"status_details", nullptr},
          {"expires_at", nullptr}};
}

// The upload's parts: `purpose` (only "batch") and `file` (with a filename).
struct Upload {
  std::string purpose;
  std::string filename;
  std::string content;
};

Result<Upload> read_upload(const Request& request) {
  auto boundary = net::multipart_boundary(request.header("content-type"));
  if (!boundary) return boundary.error();
  auto parts = net::parse_multipart(request.body, boundary.value());
  if (!parts) return parts.error();
  const net::FormPart* purpose = net::find_part(parts.value(), "purpose");
  if (purpose == nullptr) return invalid_param("purpose", "required");
  if (purpose->data != "batch") {
    return invalid_param(
        "purpose", "only \"batch\" is supported (got \"" + purpose->data.substr(0, 64) + "\")");
  }
  const net::FormPart* file = net::find_part(parts.value(), "file");
  if (file == nullptr || !file->has_filename) {
    return invalid_param("file", "required, as a file part with a filename");
  }
  return Upload{purpose->data, file->filename.empty() ? "upload.jsonl" : file->filename,
                file->data};
}

}  // namespace

void add_files_routes(net::Router& router, const BatchApi& api) {
  router.post(
      "/v1/files",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        auto upload = read_upload(request);
        if (!upload) co_return error_response(upload.error(), request);
        const std::int64_t tenant_id = who.tenant_id;
        auto created = co_await api.workers.run([&] {
          return api.files.create(tenant_id, upload->purpose, upload->filename, upload->content);
        });
        if (!created) co_return error_response(created.error(), request);
        co_return Response::json(200, file_view(created.value()).dump());
      }));

  router.get("/v1/files", api.authenticated([api](Request& request,
                                                  const gateway::Principal& who) -> Task<Response> {
    auto limit = limit_param(request, 10000, 10000);
    if (!limit) co_return error_response(limit.error(), request);
    store::FileFilter filter;
    filter.tenant_id = who.tenant_id;
    filter.purpose = request.query_param("purpose").value_or("");
    filter.after_id = request.query_param("after").value_or("");
    filter.limit = limit.value();
    auto files = co_await api.workers.run([&] { return api.files.list(filter); });
    if (!files) co_return error_response(files.error(), request);
    json data = json::array();
    for (const store::FileRecord& f : files.value()) data.push_back(file_view(f));
    const bool has_more = static_cast<int>(files->size()) == filter.limit;
    co_return Response::json(200, openai_list(std::move(data), has_more).dump());
  }));

  router.get(
      "/v1/files/{id}",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        const std::string id(request.param("id"));
        const std::int64_t tenant_id = who.tenant_id;
        auto file = co_await api.workers.run([&] { return api.files.get(tenant_id, id); });
        if (!file) co_return error_response(file.error(), request);
        co_return Response::json(200, file_view(file.value()).dump());
      }));

  router.get(
      "/v1/files/{id}/content",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        const std::string id(request.param("id"));
        const std::int64_t tenant_id = who.tenant_id;
        auto content = co_await api.workers.run([&] { return api.files.read(tenant_id, id); });
        if (!content) co_return error_response(content.error(), request);
        co_return Response::text(200, std::move(content.value()), "application/octet-stream");
      }));

  router.del(
      "/v1/files/{id}",
      api.authenticated([api](Request& request, const gateway::Principal& who) -> Task<Response> {
        const std::string id(request.param("id"));
        const std::int64_t tenant_id = who.tenant_id;
        auto removed = co_await api.workers.run([&] { return api.files.remove(tenant_id, id); });
        if (!removed.ok()) co_return error_response(removed.error(), request);
        json body = {{"id", id}, {"object", "file"}, {"deleted", true}};
        co_return Response::json(200, body.dump());
      }));
}

}  // namespace osprey::batch
