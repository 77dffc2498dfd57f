// Slow-query log: a statement that takes longer than the threshold (pg_sleep on the
// real server) is logged once at WARN with its duration, its statement cut at 500
// characters and each parameter cut at 200; faster ones are not. The log is captured
// by a spdlog sink installed as the default logger.

#include <regex>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000)) {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_pattern("%l|%v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  /// Captured lines containing `needle`, newline removed.
  std::vector<std::string> lines(const std::string& needle) const {
    std::vector<std::string> out;
    for (auto& line : sink_->last_formatted()) {
      if (line.find(needle) == std::string::npos) continue;
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      out.push_back(line);
    }
    return out;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

double logged_ms(const std::string& line) {
  std::smatch m;
  static const std::regex ms_pattern(R"(: ([0-9]+\.[0-9]) ms, )");
  return std::regex_search(line, m, ms_pattern) ? std::stod(m[1]) : -1;
}

TEST(SlowQueryPgTest, DefaultThresholdIs500Ms) {
  EXPECT_EQ(RouterOptions{}.slow_query_threshold, 500ms);
}

TEST(SlowQueryPgTest, SlowStatementsAreLoggedAtWarnWithStatementAndParametersCut) {
  CapturedLog log;
  metrics::Registry registry;
  auto options = router_options(unique_name("sq"), false);
  options.slow_query_threshold = 200ms;
  Router router(options, &registry);
  router.start();

  ASSERT_TRUE(read(router, "SELECT 1").ok());
  EXPECT_TRUE(log.lines("slow query").empty()) << "a fast statement is not logged";

  // A statement of 700+ characters (the comment is part of it) with a long parameter.
  std::string comment = "/* " + std::string(700, 'c') + " */";
  std::string sql = "SELECT pg_sleep(0.3), length($1::text), $2::text " + comment;
  std::string long_param(450, 'p');
  auto r = read(router, sql, {long_param, std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().message;

  auto lines = log.lines("slow query");
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  EXPECT_EQ(line.rfind("warning|slow query on primary: ", 0), 0u) << line;
  EXPECT_GE(logged_ms(line), 300.0) << "pg_sleep(0.3) ran on the server: " << line;
  EXPECT_NE(line.find(", ok; statement: SELECT pg_sleep(0.3)"), std::string::npos) << line;
  // 500 characters of statement, then how much was left out.
  std::string shown = sql.substr(0, 500);
  EXPECT_NE(line.find("statement: " + shown + "...(" + std::to_string(sql.size() - 500) + " more); "),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("parameters: [$1='" + std::string(200, 'p') + "...(250 more)', $2=NULL]"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find(std::string(201, 'p')), std::string::npos) << "parameter not cut";
  EXPECT_NE(registry.serialize().find("fraiseql_db_slow_queries_total{target=\"primary\"} 1"),
            std::string::npos);
}

TEST(SlowQueryPgTest, ASlowStatementThatFailsIsLoggedWithItsError) {
  CapturedLog log;
  auto options = router_options(unique_name("sf"), false);
  options.slow_query_threshold = 200ms;
  Router router(options);
  router.start();
  auto r = write(router, "DO $$ BEGIN PERFORM pg_sleep(0.3); RAISE EXCEPTION 'gave up'; END $$");
  ASSERT_FALSE(r.ok());
  auto lines = log.lines("slow query");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("warning|slow query on primary: ", 0), 0u) << lines[0];
  EXPECT_GE(logged_ms(lines[0]), 300.0) << lines[0];
  EXPECT_NE(lines[0].find(" ms, P0001: ERROR: gave up"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("parameters: []"), std::string::npos) << lines[0];
}

TEST(SlowQueryPgTest, AZeroThresholdTurnsTheLogOff) {
  CapturedLog log;
  auto options = router_options(unique_name("so"), false);
  options.slow_query_threshold = 0ms;
  Router router(options);
  router.start();
  ASSERT_TRUE(read(router, "SELECT pg_sleep(0.3)").ok());
  EXPECT_TRUE(log.lines("slow query").empty());
}

}  // namespace
}  // namespace fraiseql::db::pgtest
