#pragma once
// ServerFixture: a real net::Server on an ephemeral port, run on a background thread, with its
// hooks recorded for assertions. Stops the server and joins the thread on destruction.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/server.h"

namespace osprey::net::testing {

struct RecordedRequest {
  std::string method;
  std::string route;
  std::string request_id;
  int status = 0;
  std::optional<ErrorCode> error;
  std::size_t bytes_out = 0;
};

inline ServerOptions fast_options() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.header_timeout = std::chrono::milliseconds(2000);
  o.body_timeout = std::chrono::milliseconds(2000);
  o.idle_timeout = std::chrono::milliseconds(5000);
  o.write_timeout = std::chrono::milliseconds(2000);
  o.drain_timeout = std::chrono::milliseconds(3000);
  return o;
}

class ServerFixture {
 public:
  explicit ServerFixture(Router router, ServerOptions options = fast_options()) {
    ServerHooks hooks;
    hooks.on_request_end = [this](const RequestRecord& r) {
      std::lock_guard lock(mu_);
      records_.push_back({std::string(r.method), std::string(r.route), std::string(r.request_id),
                          r.status, r.error, r.bytes_out});
    };
    hooks.on_event = [this](std::string_view what, std::string_view detail) {
      std::lock_guard lock(mu_);
      events_.push_back(std::string(what) + ": " + std::string(detail));
    };
    server_ = std::make_unique<Server>(options, std::move(router), std::move(hooks));
    const Status listening = server_->listen();
    EXPECT_TRUE(listening.ok()) << (listening.ok() ? "" : listening.error().message);
    thread_ = std::thread([this] {
      server_->run();
      std::lock_guard lock(mu_);
      run_returned_ = true;
    });
  }

  ~ServerFixture() {
    server_->stop();
    thread_.join();
  }

  Server& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }

  // Waits (bounded) for run() to return, e.g. after drain().
  bool wait_for_run_return(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard lock(mu_);
        if (run_returned_) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  // The records so far, after waiting (bounded) for at least `n`: the hook runs after the last
  // byte is written, so it can trail the client's read of the response.
  std::vector<RecordedRequest> records(std::size_t n = 0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (records_.size() >= n || std::chrono::steady_clock::now() >= until) return records_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;  // guards records_, events_, run_returned_
  std::vector<RecordedRequest> records_;
  std::vector<std::string> events_;
  bool run_returned_ = false;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace osprey::net::testing
