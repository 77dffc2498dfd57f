// CORS on the real server in process: answers to allowed origins carry the headers a
// browser needs, preflights are answered (204) or refused (403), and other origins get
// no CORS headers at all.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "fraiseql/http/probes.hpp"
#include "fraiseql/http/server.hpp"

namespace fraiseql::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

class CorsTest : public ::testing::Test {
 protected:
  void start(CorsOptions cors) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 1;
    o.access_log = false;
    o.cors = std::move(cors);
    Router router;
    router.add(health_route());
    server_ = std::make_unique<Server>(o, std::move(router), registry_);
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  bhttp::response<bhttp::string_body> send(bhttp::verb verb,
                                           const std::vector<std::pair<std::string, std::string>>& headers) {
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    bhttp::request<bhttp::string_body> req(verb, "/health", 11);
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    bhttp::write(socket, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return res;
  }

  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
};

TEST_F(CorsTest, WithoutConfigurationNoCorsHeadersAreSent) {
  start({});
  auto r = send(bhttp::verb::get, {{"Origin", "https://app.example.com"}});
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.count("Access-Control-Allow-Origin"), 0u);
  auto pre = send(bhttp::verb::options,
                  {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(pre.result_int(), 403);
}

TEST_F(CorsTest, AnAllowedOriginGetsItsHeadersAndOthersNone) {
  start({.allowed_origins = {"https://app.example.com"}, .allow_credentials = true});
  auto ok = send(bhttp::verb::get, {{"Origin", "https://app.example.com"}});
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(ok["Access-Control-Allow-Credentials"], "true");
  EXPECT_EQ(ok["Vary"], "Origin");
  auto other = send(bhttp::verb::get, {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(other.result_int(), 200);  // served, but a browser will not let the page read it
  EXPECT_EQ(other.count("Access-Control-Allow-Origin"), 0u);
}

TEST_F(CorsTest, PreflightsAreAnsweredForAllowedOriginsAndRefusedForOthers) {
  start({.allowed_origins = {"https://app.example.com"}, .max_age = std::chrono::seconds(120)});
  auto pre = send(bhttp::verb::options, {{"Origin", "https://app.example.com"},
                                         {"Access-Control-Request-Method", "GET"},
                                         {"Access-Control-Request-Headers", "authorization"}});
  EXPECT_EQ(pre.result_int(), 204);
  EXPECT_EQ(pre["Access-Control-Allow-Origin"], "https://app.example.com");
  EXPECT_EQ(pre["Access-Control-Allow-Methods"], "GET, HEAD, OPTIONS");
  EXPECT_NE(std::string(pre["Access-Control-Allow-Headers"]).find("Authorization"), std::string::npos);
  EXPECT_EQ(pre["Access-Control-Max-Age"], "120");
  auto refused = send(bhttp::verb::options,
                      {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_NE(refused.body().find("CORS_ORIGIN_NOT_ALLOWED"), std::string::npos);
  // OPTIONS that is not a preflight is still a method the route does not have.
  EXPECT_EQ(send(bhttp::verb::options, {}).result_int(), 405);
}

TEST_F(CorsTest, AWildcardAllowsEveryOriginWithoutCredentials) {
  start({.allowed_origins = {"*"}});
  auto r = send(bhttp::verb::get, {{"Origin", "https://anywhere.example"}});
  EXPECT_EQ(r["Access-Control-Allow-Origin"], "*");
  EXPECT_EQ(r.count("Access-Control-Allow-Credentials"), 0u);
}

}  // namespace
}  // namespace fraiseql::http
