#include "fraiseql/http/message.hpp"

#include <gtest/gtest.h>

#include "fraiseql/http/router.hpp"

namespace fraiseql::http {
namespace {

TEST(HttpMessage, HeaderLookupIgnoresCase) {
  Headers h = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(find_header(h, "content-type"), "application/json");
  EXPECT_EQ(find_header(h, "X-REQUEST-ID"), "abc");
  EXPECT_EQ(find_header(h, "accept"), "");
}

TEST(HttpMessage, JsonErrorEscapes) {
  auto r = Response::json_error(400, "bad \"x\"\n", "BAD_REQUEST");
  EXPECT_EQ(r.status, 400U);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"errors":[{"message":"bad \"x\"\n","extensions":{"code":"BAD_REQUEST"}}]})");
}

TEST(HttpMessage, UrlDecode) {
  std::string out;
  EXPECT_TRUE(url_decode("a%20b+c%7B%7d", out));
  EXPECT_EQ(out, "a b c{}");
  EXPECT_FALSE(url_decode("%zz", out));
  EXPECT_FALSE(url_decode("abc%2", out));
  EXPECT_FALSE(url_decode("%", out));
}

TEST(HttpMessage, QueryParam) {
  std::string out;
  EXPECT_TRUE(query_param("query=%7Ba%7D&operationName=Q", "query", out));
  EXPECT_EQ(out, "{a}");
  EXPECT_TRUE(query_param("query=%7Ba%7D&operationName=Q", "operationName", out));
  EXPECT_EQ(out, "Q");
  EXPECT_FALSE(query_param("query=x", "variables", out));
  EXPECT_TRUE(query_param("flag", "flag", out));
  EXPECT_EQ(out, "");
}

TEST(Router, FindsAndAllows) {
  Router r;
  r.add({.path = "/a", .methods = {"GET"}, .sync = [](const Request&) { return Response{}; }});
  r.add({.path = "/b", .methods = {"POST", "GET"}, .sync = [](const Request&) { return Response{}; }});
  const Route* a = r.find("/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(r.index_of(a), 0);
  EXPECT_EQ(r.find("/c"), nullptr);
  EXPECT_EQ(r.index_of(nullptr), -1);
  EXPECT_TRUE(Router::allows(*a, "GET"));
  EXPECT_TRUE(Router::allows(*a, "HEAD"));
  EXPECT_FALSE(Router::allows(*a, "POST"));
  EXPECT_EQ(Router::allow_header(*a), "GET, HEAD");
  EXPECT_EQ(Router::allow_header(*r.find("/b")), "POST, GET, HEAD");
}

TEST(Completion, DroppedCompletionAnswers500) {
  struct Capture : Completion::Sink {
    std::vector<Response> got;
    void complete(Response response) override { got.push_back(std::move(response)); }
  };
  auto sink = std::make_shared<Capture>();
  { Completion c(sink); }
  ASSERT_EQ(sink->got.size(), 1U);
  EXPECT_EQ(sink->got[0].status, 500U);
  {
    Completion c(sink);
    c.send(Response::json(200, "{}"));
    c.send(Response::json(201, "{}"));  // only the first answer counts
  }
  ASSERT_EQ(sink->got.size(), 2U);
  EXPECT_EQ(sink->got[1].status, 200U);
}

}  // namespace
}  // namespace fraiseql::http
