// The daemon's endpoints and HTTP/1.1 behaviour, seen from a socket.

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

json parse_json(const HttpResponse& res) {
  auto j = json::parse(res.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << res.body;
  return j;
}

void expect_json_error(const HttpResponse& res, int status, const std::string& code) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_EQ(res.header("Content-Type").value_or(""), "application/json");
  auto j = parse_json(res);
  ASSERT_TRUE(j.contains("errors")) << res.body;
  ASSERT_EQ(j["errors"].size(), 1U) << res.body;
  EXPECT_FALSE(j["errors"][0].value("message", "").empty()) << res.body;
  EXPECT_EQ(j["errors"][0]["extensions"].value("code", ""), code) << res.body;
}

using fraiseql::testing::promtool_check;

class HttpTest : public ::testing::Test {
 protected:
  Daemon daemon_;
};

TEST_F(HttpTest, HealthAnswersJson) {
  auto res = daemon_.get("/health");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(parse_json(res), json({{"status", "ok"}}));
  EXPECT_EQ(res.header("Content-Length").value_or(""), std::to_string(res.body.size()));
  EXPECT_EQ(res.header("Server").value_or(""), "fraiseql");
  EXPECT_TRUE(res.header("Date").has_value());
}

TEST_F(HttpTest, HeadHasTheLengthOfGetButNoBody) {
  auto get = daemon_.get("/health");
  ASSERT_EQ(get.status, 200);
  // HEAD then GET on one connection: a body after the HEAD answer would be read as the
  // start of the next answer and break it.
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send(request_bytes("HEAD", "/health") + request_bytes("GET", "/health")));
  auto head = c.read_response(10s, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length").value_or(""), std::to_string(get.body.size()));
  EXPECT_EQ(head->header("Content-Type").value_or(""), "application/json");
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, get.body);
}

TEST_F(HttpTest, ReadyNamesNothingDown) {
  auto res = daemon_.wait_for_status("/ready", 200);
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = parse_json(res);
  EXPECT_EQ(j.value("status", ""), "ready");
  EXPECT_EQ(j["down"], json::array());
  EXPECT_EQ(j["checks"]["primary"].value("status", ""), "up");
  EXPECT_TRUE(j["checks"]["primary"]["rtt_ms"].is_number());
}

TEST_F(HttpTest, MetricsPassPromtoolAndHaveTheFamilies) {
  ASSERT_EQ(daemon_.get("/health").status, 200);
  ASSERT_EQ(daemon_.get("/nope").status, 404);
  // A request is counted after its answer is written, which can be a moment after the
  // client has read it: poll until the /health request shows.
  HttpResponse res;
  auto until = std::chrono::steady_clock::now() + 10s;
  do {
    res = daemon_.get("/metrics");
    ASSERT_EQ(res.status, 200);
    if (metric_value(res.body, "fraiseql_http_requests_total",
                     {{"route", "/health"}, {"method", "GET"}, {"status", "200"}})
            .has_value() &&
        metric_value(res.body, "fraiseql_http_requests_total", {{"route", "unmatched"}, {"status", "404"}})
            .has_value()) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < until);
  EXPECT_EQ(res.header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");

  auto [code, output] = promtool_check(res.body);
  EXPECT_EQ(code, 0) << "promtool check metrics:\n" << output << "\n" << res.body;

  const std::string& m = res.body;
  EXPECT_GE(metric_value(m, "fraiseql_http_requests_total",
                         {{"route", "/health"}, {"method", "GET"}, {"status", "200"}})
                .value_or(0),
            1.0)
      << m;
  EXPECT_GE(metric_value(m, "fraiseql_http_requests_total", {{"route", "unmatched"}, {"status", "404"}})
                .value_or(0),
            1.0)
      << m;
  EXPECT_GE(
      metric_value(m, "fraiseql_http_request_duration_seconds_count", {{"route", "/health"}}).value_or(0),
      1.0)
      << m;
  EXPECT_TRUE(metric_value(m, "fraiseql_http_request_duration_seconds_bucket",
                           {{"route", "/health"}, {"le", "+Inf"}}))
      << m;
  EXPECT_TRUE(metric_value(m, "fraiseql_http_request_duration_seconds_sum", {{"route", "/health"}})) << m;
  // This very request is in flight while the metrics are written.
  EXPECT_GE(metric_value(m, "fraiseql_http_requests_in_flight").value_or(0), 1.0) << m;
  EXPECT_GE(metric_value(m, "fraiseql_http_connections").value_or(0), 1.0) << m;
  EXPECT_TRUE(metric_value(m, "fraiseql_http_timeouts_total")) << m;
  // A fresh process may not have used one clock tick of CPU yet: present and not negative.
  EXPECT_GE(metric_value(m, "process_cpu_seconds_total").value_or(-1), 0.0) << m;
  EXPECT_GT(metric_value(m, "process_resident_memory_bytes").value_or(0), 0.0) << m;
  EXPECT_GT(metric_value(m, "process_virtual_memory_bytes").value_or(0), 0.0) << m;
  EXPECT_GT(metric_value(m, "process_open_fds").value_or(0), 0.0) << m;
  EXPECT_GT(metric_value(m, "process_max_fds").value_or(0), 0.0) << m;
  EXPECT_GT(metric_value(m, "process_start_time_seconds").value_or(0), 0.0) << m;
  EXPECT_EQ(metric_value(m, "fraiseql_build_info").value_or(0), 1.0) << m;
}

TEST_F(HttpTest, RequestIdIsEchoedOrGenerated) {
  auto given = daemon_.get("/health", {{"X-Request-Id", "e2e-given.id:42"}});
  EXPECT_EQ(given.header("X-Request-Id").value_or(""), "e2e-given.id:42");

  auto generated = daemon_.get("/health");
  auto id = generated.header("X-Request-Id").value_or("");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{32}"))) << id;
  auto other = daemon_.get("/health").header("X-Request-Id").value_or("");
  EXPECT_NE(id, other);

  // An id unsafe to log is replaced, not echoed.
  auto unsafe = daemon_.get("/health", {{"X-Request-Id", "bad id with spaces"}});
  id = unsafe.header("X-Request-Id").value_or("");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{32}"))) << id;
}

TEST_F(HttpTest, UnknownPathIs404) {
  expect_json_error(daemon_.get("/nope"), 404, "NOT_FOUND");
  expect_json_error(daemon_.get("/health/extra?x=1"), 404, "NOT_FOUND");
}

TEST_F(HttpTest, WrongMethodIs405WithAllow) {
  auto res = http_request(daemon_.port(), "POST", "/health", {}, "{}");
  expect_json_error(res, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(res.header("Allow").value_or(""), "GET, HEAD");
  res = http_request(daemon_.port(), "DELETE", "/metrics");
  expect_json_error(res, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(res.header("Allow").value_or(""), "GET, HEAD");
}

TEST_F(HttpTest, MalformedRequestLineIs400AndCloses) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  expect_json_error(*res, 400, "BAD_REQUEST");
  EXPECT_EQ(res->header("Connection").value_or(""), "close");
  EXPECT_TRUE(c.wait_closed());

  RawClient d(daemon_.port());
  ASSERT_TRUE(d.send("GET /health HTTP/9.9\r\nHost: x\r\n\r\n"));
  res = d.read_response();
  ASSERT_TRUE(res);
  expect_json_error(*res, 400, "BAD_REQUEST");
}

TEST_F(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  RawClient c(daemon_.port());
  for (const char* path : {"/health", "/ready", "/metrics", "/nope", "/health"}) {
    ASSERT_TRUE(c.send(request_bytes("GET", path))) << path;
    auto res = c.read_response();
    ASSERT_TRUE(res) << path;
    EXPECT_NE(res->status, 0) << path;
    EXPECT_NE(res->header("Connection").value_or(""), "close") << path;
  }
}

TEST_F(HttpTest, PipelinedRequestsAreAnsweredInOrder) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send(request_bytes("GET", "/health", "X-Request-Id: first\r\n") +
                     request_bytes("GET", "/nope", "X-Request-Id: second\r\n")));
  auto a = c.read_response();
  auto b = c.read_response();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->header("X-Request-Id").value_or(""), "first");
  EXPECT_EQ(b->status, 404);
  EXPECT_EQ(b->header("X-Request-Id").value_or(""), "second");
}

TEST_F(HttpTest, ConnectionCloseIsHonoured) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send(request_bytes("GET", "/health", "Connection: close\r\n")));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->header("Connection").value_or(""), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpTest, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send("GET /health HTTP/1.0\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"status":"ok"})");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(HttpTest, AccessLogLineHasIdMethodPathStatusDuration) {
  ASSERT_EQ(daemon_.get("/nope", {{"X-Request-Id", "e2e-access-text"}}).status, 404);
  ASSERT_TRUE(daemon_.wait_for_log("e2e-access-text")) << daemon_.log();
  std::string log = daemon_.log();
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line) && line.find("e2e-access-text") == std::string::npos) {
  }
  EXPECT_TRUE(std::regex_search(line, std::regex(R"(e2e-access-text GET /nope 404 [0-9]+\.[0-9]+ms)")))
      << line;
}

TEST(HttpJsonLogTest, AccessLogIsOneJsonObjectPerLine) {
  Daemon daemon(daemon_env(), {"serve", "--log-format", "json"});
  ASSERT_EQ(daemon.get("/health", {{"X-Request-Id", "e2e-access-json"}}).status, 200);
  ASSERT_TRUE(daemon.wait_for_log("e2e-access-json")) << daemon.log();
  std::istringstream lines(daemon.log());
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    auto j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
    EXPECT_TRUE(j.contains("ts") && j.contains("level")) << line;
    if (j.value("request_id", "") != "e2e-access-json") continue;
    found = true;
    EXPECT_EQ(j.value("method", ""), "GET") << line;
    EXPECT_EQ(j.value("path", ""), "/health") << line;
    EXPECT_EQ(j.value("status", 0), 200) << line;
    EXPECT_TRUE(j["duration_ms"].is_number()) << line;
    EXPECT_EQ(j.value("logger", ""), "access") << line;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace fraiseql::e2e
