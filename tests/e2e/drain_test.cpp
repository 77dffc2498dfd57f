// SIGTERM: readiness turns 503, new connections are refused, requests in flight finish,
// and the process exits 0.

#include <cerrno>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Reads fraiseql_http_requests_in_flight on `c` (a keep-alive connection) until it
// equals `want`. On one connection each request is recorded before the next is read,
// so the value counts this /metrics request plus the others in flight.
bool wait_in_flight(RawClient& c, double want) {
  auto until = Clock::now() + 10s;
  double seen = -1;
  while (Clock::now() < until) {
    if (!c.send(request_bytes("GET", "/metrics"))) return false;
    auto res = c.read_response();
    if (!res) return false;
    seen = metric_value(res->body, "fraiseql_http_requests_in_flight").value_or(-1);
    if (seen == want) return true;
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "requests in flight: " << seen << ", waited for " << want;
  return false;
}

// Connects until the port refuses; false at the deadline.
bool wait_refused(std::uint16_t port) {
  auto until = Clock::now() + 10s;
  while (Clock::now() < until) {
    int err = RawClient::try_connect(port);
    if (err == ECONNREFUSED) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(DrainTest, SigtermDrainsRequestsInFlightThenExitsZero) {
  Env env = daemon_env();
  env["FRAISEQL_SERVER_SHUTDOWN_GRACE"] = "60s";
  Daemon daemon(env);
  const auto port = daemon.port();

  RawClient metrics(port);
  ASSERT_TRUE(wait_in_flight(metrics, 1));

  // A: a request whose body is still arriving.
  RawClient body_client(port);
  ASSERT_TRUE(
      body_client.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: drain-body\r\n"
                       "Content-Length: 10\r\n\r\n01234"));
  // B: a keep-alive connection that has been used, now midway through a /ready header.
  RawClient ready_client(port);
  ASSERT_TRUE(ready_client.send(request_bytes("GET", "/ready")));
  auto first = ready_client.read_response();
  ASSERT_TRUE(first);
  ASSERT_NE(first->header("Connection").value_or(""), "close");
  ASSERT_TRUE(ready_client.send("GET /ready HTTP/1.1\r\nHost: x\r\nX-Request-Id: drain-ready\r\n"));
  ASSERT_TRUE(wait_in_flight(metrics, 3));

  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.wait_for_log("draining")) << daemon.log();
  EXPECT_TRUE(wait_refused(port)) << "new connections still accepted while draining";

  ASSERT_TRUE(ready_client.send("\r\n"));
  auto ready = ready_client.read_response();
  ASSERT_TRUE(ready) << "no /ready answer while draining";
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->header("Connection").value_or(""), "close");
  auto j = json::parse(ready->body, nullptr, false);
  EXPECT_EQ(j.value("status", ""), "shutting_down") << ready->body;
  EXPECT_TRUE(ready_client.wait_closed());

  // Still draining: A is not done.
  EXPECT_FALSE(daemon.wait_exit(0s).has_value());
  ASSERT_TRUE(body_client.send("56789"));
  auto done = body_client.read_response();
  ASSERT_TRUE(done) << "the request in flight got no answer";
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(done->body, R"({"status":"ok"})");
  EXPECT_EQ(done->header("Connection").value_or(""), "close");

  auto code = daemon.wait_exit(30s);
  ASSERT_TRUE(code.has_value()) << "still running after the last request finished";
  EXPECT_EQ(*code, 0);
  std::string log = daemon.log();
  EXPECT_NE(log.find("drain-body GET /health 200"), std::string::npos) << log;
  EXPECT_NE(log.find("drain-ready GET /ready 503"), std::string::npos) << log;
  EXPECT_EQ(log.find("grace period over"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
}

TEST(DrainTest, IdleConnectionsAreClosedOnSigterm) {
  Daemon daemon;
  RawClient idle(daemon.port());
  ASSERT_TRUE(idle.send(request_bytes("GET", "/health")));
  ASSERT_TRUE(idle.read_response());
  daemon.signal(SIGTERM);
  EXPECT_TRUE(idle.wait_closed());
  auto code = daemon.wait_exit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

TEST(DrainTest, GracePeriodEndsAStuckRequest) {
  Env env = daemon_env();
  env["FRAISEQL_SERVER_SHUTDOWN_GRACE"] = "200ms";
  Daemon daemon(env);
  RawClient metrics(daemon.port());
  ASSERT_TRUE(wait_in_flight(metrics, 1));
  RawClient stuck(daemon.port());
  ASSERT_TRUE(stuck.send("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0"));
  ASSERT_TRUE(wait_in_flight(metrics, 2));
  daemon.signal(SIGTERM);
  auto code = daemon.wait_exit(30s);
  ASSERT_TRUE(code.has_value()) << "did not stop after the grace period";
  EXPECT_EQ(*code, 0);
  EXPECT_NE(daemon.log().find("grace period over with 1 request(s) in flight"), std::string::npos)
      << daemon.log();
  EXPECT_TRUE(stuck.wait_closed());
}

TEST(DrainTest, SigintAlsoStopsCleanly) {
  Daemon daemon;
  daemon.signal(SIGINT);
  auto code = daemon.wait_exit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  EXPECT_NE(daemon.log().find("received SIGINT"), std::string::npos) << daemon.log();
}

}  // namespace
}  // namespace fraiseql::e2e
