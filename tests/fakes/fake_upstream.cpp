#include "fakes/fake_upstream.h"

#include <algorithm>
#include <cctype>

namespace osprey::fakes {

namespace {

using nlohmann::json;

// splitmix64: a well-mixed hash, so call n's failure decision depends only on (seed, n).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Reply control_json(int status, const json& body) {
  // Recorded bodies may hold any bytes; replace invalid UTF-8 rather than throw.
  return {status,
          {{"Content-Type", "application/json"}},
          body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

// Counts a chat call as in flight for the life of the scope.
class InFlight {
 public:
  explicit InFlight(std::atomic<std::int64_t>& n) : n_(n) { ++n_; }
  ~InFlight() { --n_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<std::int64_t>& n_;
};

}  // namespace

FakeUpstream::FakeUpstream(FakeUpstreamOptions options)
    : options_(std::move(options)),
      personality_(make_personality(options_.vendor, {options_.api_key, options_.models})),
      faults_(options_.faults) {
  if (options_.vendor == Vendor::kOpenAi || options_.vendor == Vendor::kAnthropic) {
    batch_ = std::make_unique<FakeBatchService>(*personality_);
  }
}

FakeUpstream::~FakeUpstream() { stop(); }

Status FakeUpstream::start() {
  std::string error;
  auto server = start_fake_http_server(
      server_, [this](const RecordedRequest& req, FakeExchange& ex) { return handle(req, ex); },
      options_.io_threads, options_.port, error);
  if (!server) return make_error(ErrorCode::kUnavailable, error);
  server_ = std::move(server);
  return {};
}

void FakeUpstream::stop() {
  if (server_) server_->stop();
}

std::uint16_t FakeUpstream::port() const { return server_ ? server_->port() : 0; }

std::string FakeUpstream::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::vector<RecordedRequest> FakeUpstream::requests() const {
  std::lock_guard lock(mu_);
  return {requests_.begin(), requests_.end()};
}

void FakeUpstream::clear_requests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

FakeStats FakeUpstream::stats() const {
  return {calls_.load(),     chat_calls_.load(), probe_calls_.load(),
          in_flight_.load(), cancelled_.load(),  injected_failures_.load()};
}

FaultConfig FakeUpstream::faults() const {
  std::lock_guard lock(mu_);
  return faults_;
}

void FakeUpstream::set_faults(const FaultConfig& faults) {
  std::lock_guard lock(mu_);
  faults_ = faults;
}

Status FakeUpstream::patch_faults(const json& patch) {
  std::lock_guard lock(mu_);
  return apply_fault_patch(patch, faults_);
}

void FakeUpstream::record(const RecordedRequest& req) {
  if (options_.record_limit == 0) return;
  std::lock_guard lock(mu_);
  if (requests_.size() >= options_.record_limit) requests_.pop_front();
  requests_.push_back(req);
}

bool FakeUpstream::draw_failure(double fail_rate) {
  const std::uint64_t n = failure_draws_.fetch_add(1);
  const double u = static_cast<double>(mix(options_.seed * 0x100000001b3ULL + n) >> 11) * 0x1.0p-53;
  return u < fail_rate;
}

Task<void> FakeUpstream::send(FakeExchange& ex, const Reply& reply) {
  co_await ex.respond(reply.status, reply.headers, reply.body);
}

Task<void> FakeUpstream::handle(const RecordedRequest& req, FakeExchange& ex) {
  if (batch_ && req.path == "/_fake/batch") {
    const std::optional<Reply> knobs = batch_->handle(req);
    co_await send(ex, *knobs);
    co_return;
  }
  if (req.path.starts_with("/_fake/")) {
    co_await handle_control(req, ex);
    co_return;
  }
  const FaultConfig f = faults();
  ++calls_;
  record(req);
  if (f.down) {
    ex.abort();  // as close to a dead server as a listening socket gets: no bytes, a reset
    co_return;
  }
  if (batch_) {
    if (const std::optional<Reply> reply = batch_->handle(req)) {
      co_await send(ex, *reply);
      co_return;
    }
  }
  switch (personality_->classify(req)) {
    case Personality::Route::kChat:
      co_await handle_chat(req, ex, f);
      co_return;
    case Personality::Route::kProbe: {
      ++probe_calls_;
      if (f.probe_fail) {
        co_await send(ex, personality_->error(503, "fake upstream: probe failure injected"));
      } else if (auto denied = personality_->check_auth(req)) {
        co_await send(ex, *denied);
      } else {
        co_await send(ex, personality_->probe());
      }
      co_return;
    }
    case Personality::Route::kUnknown:
      co_await send(
          ex, personality_->error(404, "Unknown request URL: " + req.method + " " + req.path));
      co_return;
  }
}

Task<void> FakeUpstream::handle_chat(const RecordedRequest& req, FakeExchange& ex,
                                     const FaultConfig& f) {
  ++chat_calls_;
  InFlight in_flight(in_flight_);
  if (auto denied = personality_->check_auth(req)) {
    co_await send(ex, *denied);
    co_return;
  }
  std::variant<ParsedChat, Reply> parsed = Reply{};
  try {
    parsed = personality_->parse_chat(req);
  } catch (const std::exception& e) {
    // A personality bug on odd input must still answer, in the vendor's shape.
    parsed = personality_->error(
        400, std::string("fake upstream could not read the request: ") + e.what());
  }
  if (auto* rejected = std::get_if<Reply>(&parsed)) {
    co_await send(ex, *rejected);
    co_return;
  }
  const ParsedChat& chat = std::get<ParsedChat>(parsed);
  if (f.hang) {
    if (!co_await ex.wait(std::chrono::milliseconds(f.hang_cap_ms))) ++cancelled_;
    ex.abort();
    co_return;
  }
  if (f.latency_ms > 0 && !co_await ex.wait(std::chrono::milliseconds(f.latency_ms))) {
    ++cancelled_;
    co_return;
  }
  if (f.status != 0 || (f.fail_rate > 0 && draw_failure(f.fail_rate))) {
    ++injected_failures_;
    const int status = f.status != 0 ? f.status : 500;
    Reply reply =
        personality_->error(status, "fake upstream: injected error " + std::to_string(status));
    if (f.retry_after_s >= 0) personality_->add_retry_after(reply, f.retry_after_s);
    co_await send(ex, reply);
    co_return;
  }
  ChatTurn turn = chat.turn;
  if (f.ignore_tools) turn.first_tool.reset();
  const ScriptedAnswer answer = plan_answer(turn, options_.script);
  const std::uint64_t seq = ++seq_;
  if (chat.stream) {
    StreamPlan plan = personality_->stream(chat, answer, seq);
    if (f.malformed && !plan.chunks.empty()) {
      std::string& victim = plan.chunks[std::min<std::size_t>(1, plan.chunks.size() - 1)];
      victim.resize(victim.size() / 2);
    }
    co_await send_stream(ex, std::move(plan), f);
    co_return;
  }
  Reply reply = personality_->complete(chat, answer, seq);
  if (f.malformed) reply.body.resize(reply.body.size() / 2);
  co_await send(ex, reply);
}

Task<void> FakeUpstream::send_stream(FakeExchange& ex, StreamPlan plan, const FaultConfig& f) {
  if (!co_await ex.begin_chunked(200, plan.headers)) {
    ++cancelled_;
    co_return;
  }
  for (std::size_t i = 0; i < plan.chunks.size(); ++i) {
    if (f.cut_after_chunks >= 0 && i == static_cast<std::size_t>(f.cut_after_chunks)) {
      ex.abort();
      co_return;
    }
    if (f.stream_error_after_chunks >= 0 &&
        i == static_cast<std::size_t>(f.stream_error_after_chunks)) {
      const std::string error = personality_->stream_error("fake upstream: injected stream error");
      if (!co_await ex.write_chunk(error) || !co_await ex.finish()) ++cancelled_;
      co_return;
    }
    if (i > 0 && f.chunk_delay_ms > 0 &&
        !co_await ex.wait(std::chrono::milliseconds(f.chunk_delay_ms))) {
      ++cancelled_;
      co_return;
    }
    if (!co_await ex.write_chunk(plan.chunks[i])) {
      ++cancelled_;
      co_return;
    }
  }
  if (!co_await ex.finish()) ++cancelled_;
}

Task<void> FakeUpstream::handle_control(const RecordedRequest& req, FakeExchange& ex) {
  Reply reply;
  if (req.path == "/_fake/requests" && req.method == "GET") {
    reply = control_json(200, requests_json());
  } else if (req.path == "/_fake/requests" && req.method == "DELETE") {
    clear_requests();
    reply = control_json(200, json{{"cleared", true}});
  } else if (req.path == "/_fake/stats" && req.method == "GET") {
    reply = control_json(200, stats_json());
  } else if (req.path == "/_fake/faults" && req.method == "GET") {
    reply = control_json(200, to_json(faults()));
  } else if (req.path == "/_fake/faults" && req.method == "POST") {
    const json patch = json::parse(req.body, nullptr, false);
    if (patch.is_discarded()) {
      reply = control_json(400, json{{"error", "body is not valid JSON"}});
    } else if (Status s = patch_faults(patch); !s) {
      reply = control_json(400, json{{"error", s.error().message}});
    } else {
      reply = control_json(200, to_json(faults()));
    }
  } else {
    reply =
        control_json(404, json{{"error", "no control endpoint " + req.method + " " + req.path}});
  }
  co_await send(ex, reply);
}

json FakeUpstream::requests_json() const {
  json out = json::array();
  for (const RecordedRequest& r : requests()) {
    json headers = json::object();
    for (const auto& [name, value] : r.headers) {
      std::string key = name;
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (headers.contains(key)) {
        headers[key] = headers[key].get<std::string>() + ", " + value;
      } else {
        headers[key] = value;
      }
    }
    out.push_back({{"method", r.method},
                   {"target", r.target},
                   {"path", r.path},
                   {"headers", headers},
                   {"body", r.body}});
  }
  return out;
}

json FakeUpstream::stats_json() const {
  const FakeStats s = stats();
  return {{"vendor", vendor_name(options_.vendor)},
          {"calls", s.calls},
          {"chat_calls", s.chat_calls},
          {"probe_calls", s.probe_calls},
          {"in_flight", s.in_flight},
          {"cancelled", s.cancelled},
          {"injected_failures", s.injected_failures}};
}

}  // namespace osprey::fakes
