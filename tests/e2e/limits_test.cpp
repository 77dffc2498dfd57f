// Request size and time limits: oversized bodies, slow headers, idle keep-alive.

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

Env limited_env() {
  Env env = daemon_env();
  env["FRAISEQL_SERVER_MAX_BODY_BYTES"] = "1KiB";
  env["FRAISEQL_SERVER_HEADER_TIMEOUT"] = "500ms";
  env["FRAISEQL_SERVER_IDLE_TIMEOUT"] = "500ms";
  return env;
}

class LimitsTest : public ::testing::Test {
 protected:
  Daemon daemon_{limited_env()};

  double timeouts() {
    return metric_value(daemon_.get("/metrics").body, "fraiseql_http_timeouts_total").value_or(-1);
  }
};

std::string error_code(const HttpResponse& res) {
  auto j = json::parse(res.body, nullptr, false);
  if (j.is_discarded() || !j.contains("errors")) return "not a JSON error: " + res.body;
  return j["errors"][0]["extensions"].value("code", "");
}

TEST_F(LimitsTest, BodyAtTheLimitIsRead) {
  // GET with a body: the route ignores it, but the server reads all of it.
  auto res = http_request(daemon_.port(), "GET", "/health", {}, std::string(1024, 'x'));
  EXPECT_EQ(res.status, 200) << res.body;
}

TEST_F(LimitsTest, ContentLengthOverTheLimitIs413BeforeTheBody) {
  RawClient c(daemon_.port());
  // Only the header is sent: the answer must not wait for a body it will refuse.
  ASSERT_TRUE(
      c.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 1025\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(error_code(*res), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(res->header("Connection").value_or(""), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(LimitsTest, ChunkedBodyOverTheLimitIs413) {
  RawClient c(daemon_.port());
  std::string req = "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) req += "100\r\n" + std::string(256, 'a') + "\r\n";  // 1280 bytes
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(error_code(*res), "PAYLOAD_TOO_LARGE");
  EXPECT_TRUE(c.wait_closed());
}

TEST_F(LimitsTest, ChunkedBodyUnderTheLimitIsRead) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(
      c.send("GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n0\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(LimitsTest, HugeHeaderIs431) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(
      c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'b') + "\r\n\r\n"));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_EQ(error_code(*res), "HEADER_TOO_LARGE");
}

TEST_F(LimitsTest, SlowHeaderClientIsCutOff) {
  double before = timeouts();
  RawClient c(daemon_.port());
  // One byte every 100 ms: the whole header would take about 6 s, far past the 500 ms
  // header timeout. The server must close the connection without answering.
  std::string req = request_bytes("GET", "/health", "User-Agent: slowloris-e2e\r\nAccept: */*\r\n");
  c.send_slowly(req, 1, 100ms);
  EXPECT_TRUE(c.wait_closed(20s)) << "connection still open";
  EXPECT_EQ(c.pending().find("HTTP/1.1"), std::string::npos) << "answered: " << c.pending();
  EXPECT_GT(timeouts(), before);
}

TEST_F(LimitsTest, SlowButTimelyHeaderIsServed) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send_slowly(request_bytes("GET", "/health"), 16, 10ms));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(LimitsTest, IdleKeepAliveConnectionIsClosed) {
  RawClient c(daemon_.port());
  ASSERT_TRUE(c.send(request_bytes("GET", "/health")));
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->header("Connection").value_or(""), "close");
  EXPECT_TRUE(c.wait_closed(20s)) << "idle connection still open";
  EXPECT_TRUE(c.pending().empty()) << c.pending();
}

TEST_F(LimitsTest, ConnectionThatNeverSendsIsClosed) {
  RawClient c(daemon_.port());
  EXPECT_TRUE(c.wait_closed(20s)) << "silent connection still open";
  EXPECT_TRUE(c.pending().empty()) << c.pending();
}

}  // namespace
}  // namespace fraiseql::e2e
