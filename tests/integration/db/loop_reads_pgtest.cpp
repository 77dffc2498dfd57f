// Reads issued on a bound event loop (docs/adr/0007): they run on the loop's own libpq
// connections and call back on the loop thread. Proven on the servers: which server
// answered, which sessions exist, what they have prepared.

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

namespace asio = boost::asio;

// An event loop on its own thread, bound to a router as the daemon's I/O threads are.
class BoundLoop {
 public:
  explicit BoundLoop(Router& router, unsigned loop_count = 1) : router_(router) {
    std::promise<std::thread::id> started;
    auto id = started.get_future();
    thread_ = std::thread([this, loop_count, &started] {
      router_.bind_loop(ioc_, loop_count);
      started.set_value(std::this_thread::get_id());
      ioc_.run();
      router_.unbind_loop();
    });
    thread_id_ = id.get();
  }
  ~BoundLoop() { stop(); }
  BoundLoop(const BoundLoop&) = delete;
  BoundLoop& operator=(const BoundLoop&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  struct Answer {
    Result<Rows> result;
    bool on_loop_thread = false;
  };

  // Issues a read from the loop thread; the future holds its callback's result.
  std::future<Answer> read_async(std::string sql, Params params = {},
                                 Deadline deadline = Deadline::after(30s), Settings settings = {}) {
    auto promise = std::make_shared<std::promise<Answer>>();
    auto future = promise->get_future();
    asio::post(ioc_, [this, promise, sql = std::move(sql), params = std::move(params), deadline,
                      settings = std::move(settings)]() mutable {
      router_.read(
          std::move(sql), std::move(params), deadline,
          [this, promise](Result<Rows> r) {
            promise->set_value(Answer{std::move(r), std::this_thread::get_id() == thread_id_});
          },
          {}, std::move(settings));
    });
    return future;
  }

  Answer read(std::string sql, Params params = {}, Deadline deadline = Deadline::after(30s),
              Settings settings = {}) {
    auto f = read_async(std::move(sql), std::move(params), deadline, std::move(settings));
    if (f.wait_for(60s) != std::future_status::ready) {
      return {make_error(ErrorCode::kTimeout, "no callback within 60 s"), false};
    }
    return f.get();
  }

 private:
  Router& router_;
  asio::io_context ioc_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::thread thread_;
  std::thread::id thread_id_;
};

int sessions(const std::string& url, const std::string& app_prefix) {
  return std::stoi(
      scalar(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '" + app_prefix + "%'"));
}

bool replica_ready(Router& router) {
  return eventually([&] { return router.hosts().at(1).reads_eligible; });
}

TEST(LoopReadsPgTest, ReadsRunOnTheReplicaAndCallBackOnTheLoopThread) {
  std::string app = unique_name("lr");
  Router router(router_options(app));
  router.start();
  ASSERT_TRUE(replica_ready(router));
  BoundLoop loop(router);

  auto a = loop.read("SELECT pg_is_in_recovery()::text, inet_server_port()::text, $1::text || '!', $2::text",
                     {std::string("hé"), std::nullopt});
  ASSERT_TRUE(a.result.ok()) << a.result.error().message;
  EXPECT_TRUE(a.on_loop_thread);
  EXPECT_EQ(a.result->target, "replica1");
  ASSERT_EQ(a.result->rows.size(), 1u);
  EXPECT_EQ(a.result->rows[0][0], "true");
  EXPECT_EQ(a.result->rows[0][1], std::to_string(replica_port()));
  EXPECT_EQ(a.result->rows[0][2], "hé!");
  EXPECT_FALSE(a.result->rows[0][3].has_value());  // NULL in, NULL out
  EXPECT_EQ(a.result->columns.size(), 4u);

  // The session settings of the executor pools hold on loop connections too.
  auto s = loop.read("SELECT current_setting('statement_timeout'), current_setting('jit')");
  ASSERT_TRUE(s.result.ok()) << s.result.error().message;
  EXPECT_EQ(s.result->rows[0][0], "30s");
  EXPECT_EQ(s.result->rows[0][1], "off");

  // A read from a thread that is not bound still works, on the db threads.
  auto plain = read(router, "SELECT 'plain'");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->rows[0][0], "plain");
}

TEST(LoopReadsPgTest, StatementsArePreparedOncePerConnection) {
  std::string app = unique_name("lp");
  auto options = router_options(app, false);
  options.primary_limits = {.size = 1, .max_overflow = 0};  // one loop connection: one session to look at
  Router router(options);
  router.start();
  BoundLoop loop(router);
  const std::string count = "SELECT count(*)::text FROM pg_prepared_statements";
  for (int i = 0; i < 3; ++i) {
    auto a = loop.read(count);
    ASSERT_TRUE(a.result.ok()) << a.result.error().message;
    EXPECT_EQ(a.result->rows[0][0], "1") << "run " << i;  // itself, prepared once
  }
  auto other = loop.read("SELECT name FROM pg_prepared_statements WHERE statement = $1", {count});
  ASSERT_TRUE(other.result.ok()) << other.result.error().message;
  ASSERT_EQ(other.result->rows.size(), 1u);
  EXPECT_EQ(other.result->rows[0][0]->rfind("fq_", 0), 0u);
  EXPECT_EQ(sessions(primary_url(), app + ":"), 1);
}

TEST(LoopReadsPgTest, WithoutPreparedStatementsNothingIsPrepared) {
  auto options = router_options(unique_name("ln"), false);
  options.connection.prepared_statements = false;
  Router router(options);
  router.start();
  BoundLoop loop(router);
  for (int i = 0; i < 2; ++i) {
    auto a =
        loop.read("SELECT count(*)::text FROM pg_prepared_statements WHERE $1::int > 0", {std::string("1")});
    ASSERT_TRUE(a.result.ok()) << a.result.error().message;
    EXPECT_EQ(a.result->rows[0][0], "0");
  }
}

TEST(LoopReadsPgTest, AnSqlErrorKeepsTheConnection) {
  std::string app = unique_name("le");
  auto options = router_options(app, false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  auto bad = loop.read("SELECT 1/0");
  ASSERT_FALSE(bad.result.ok());
  EXPECT_TRUE(bad.on_loop_thread);
  EXPECT_EQ(bad.result.error().code, ErrorCode::kInternal);
  EXPECT_EQ(bad.result.error().message.rfind("22012: ", 0), 0u) << bad.result.error().message;
  auto pid1 = loop.read("SELECT pg_backend_pid()::text");
  auto pid2 = loop.read("SELECT pg_backend_pid()::text");
  ASSERT_TRUE(pid1.result.ok() && pid2.result.ok());
  EXPECT_EQ(pid1.result->rows[0][0], pid2.result->rows[0][0]);
  // The server answered: the breaker did not count it.
  EXPECT_EQ(router.primary().breaker, resilience::BreakerState::kClosed);
}

TEST(LoopReadsPgTest, ConcurrentReadsBeyondTheLoopShareWaitAndAllComplete) {
  std::string app = unique_name("lc");
  auto options = router_options(app, false);
  options.primary_limits = {.size = 2, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  std::vector<std::future<BoundLoop::Answer>> answers;
  for (int i = 0; i < 12; ++i) {
    answers.push_back(loop.read_async("SELECT $1::text FROM pg_sleep(0.05)", {std::to_string(i)}));
  }
  int max_sessions = 0;
  for (int i = 0; i < 12; ++i) {
    if (i == 3) max_sessions = sessions(primary_url(), app + ":");
    auto a = answers[static_cast<std::size_t>(i)].get();
    ASSERT_TRUE(a.result.ok()) << a.result.error().message;
    EXPECT_EQ(a.result->rows[0][0], std::to_string(i));
    EXPECT_TRUE(a.on_loop_thread);
  }
  EXPECT_LE(max_sessions, 2);
  EXPECT_EQ(sessions(primary_url(), app + ":"), 2);
}

TEST(LoopReadsPgTest, AReadThatCannotGetAConnectionBeforeItsDeadlineTimesOut) {
  auto options = router_options(unique_name("lt"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  auto slow = loop.read_async("SELECT pg_sleep(1)::text");
  auto late = loop.read("SELECT 'late'", {}, Deadline::after(150ms));
  ASSERT_FALSE(late.result.ok());
  EXPECT_EQ(late.result.error().code, ErrorCode::kTimeout);
  EXPECT_NE(late.result.error().message.find("exhausted"), std::string::npos) << late.result.error().message;
  auto first = slow.get();
  EXPECT_TRUE(first.result.ok()) << first.result.error().message;
}

TEST(LoopReadsPgTest, AConnectionKilledByTheServerIsReplacedAndTheReadRetried) {
  std::string app = unique_name("lk");
  auto options = router_options(app, false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  auto before = loop.read("SELECT pg_backend_pid()::text");
  ASSERT_TRUE(before.result.ok()) << before.result.error().message;
  EXPECT_EQ(scalar(primary_url(), "SELECT pg_terminate_backend(" + *before.result->rows[0][0] + ")::text"),
            "true");
  ASSERT_TRUE(eventually([&] { return sessions(primary_url(), app + ":") == 0; }));
  auto after = loop.read("SELECT pg_backend_pid()::text");
  ASSERT_TRUE(after.result.ok()) << after.result.error().message;
  EXPECT_NE(after.result->rows[0][0], before.result->rows[0][0]);
}

TEST(LoopReadsPgTest, StoppingTheLoopEndsReadsInFlight) {
  auto options = router_options(unique_name("ls"), false);
  Router router(options);
  router.start();
  auto loop = std::make_unique<BoundLoop>(router);
  auto warm = loop->read("SELECT 1");
  ASSERT_TRUE(warm.result.ok());
  auto pending = loop->read_async("SELECT pg_sleep(5)::text");
  std::this_thread::sleep_for(200ms);
  loop->stop();
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  auto a = pending.get();
  ASSERT_FALSE(a.result.ok());
  EXPECT_EQ(a.result.error().code, ErrorCode::kUnavailable);
}

TEST(LoopReadsPgTest, AHostThatRefusesConnectionsGivesUnavailable) {
  auto options = router_options(unique_name("lu"), false);
  options.primary_url = "postgresql://127.0.0.1:1/postgres";  // nothing listens on port 1
  Router router(options);
  router.start();
  BoundLoop loop(router);
  auto a = loop.read("SELECT 1");
  ASSERT_FALSE(a.result.ok());
  EXPECT_EQ(a.result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(a.result.error().message.find("cannot connect"), std::string::npos) << a.result.error().message;
}

constexpr const char* kShowSettings =
    "SELECT coalesce(current_setting('app.tenant_id', true), ''), "
    "coalesce(current_setting('request.jwt.claims', true), '')";

TEST(LoopReadsPgTest, SettingsApplyToTheirReadOnlyAndValuesStayValues) {
  auto options = router_options(unique_name("lg"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};  // every read on the same session
  Router router(options);
  router.start();
  BoundLoop loop(router);
  const std::string hostile = "7'); SELECT pg_sleep(10); --";
  auto with = loop.read(kShowSettings, {}, Deadline::after(30s),
                        {{"app.tenant_id", hostile}, {"request.jwt.claims", R"({"sub":"u1"})"}});
  ASSERT_TRUE(with.result.ok()) << with.result.error().message;
  EXPECT_EQ(with.result->rows[0][0], hostile);
  EXPECT_EQ(with.result->rows[0][1], R"({"sub":"u1"})");
  // The next read on the same session does not inherit them.
  auto without = loop.read(kShowSettings);
  ASSERT_TRUE(without.result.ok()) << without.result.error().message;
  EXPECT_EQ(without.result->rows[0][0], "");
  EXPECT_EQ(without.result->rows[0][1], "");
  // A setting the server refuses fails that read alone.
  auto bad = loop.read("SELECT 1", {}, Deadline::after(30s), {{"not a name", "x"}});
  ASSERT_FALSE(bad.result.ok());
  EXPECT_EQ(bad.result.error().code, ErrorCode::kInternal);
  auto after = loop.read(kShowSettings);
  EXPECT_TRUE(after.result.ok());
}

TEST(LoopReadsPgTest, SettingsApplyOnTheDbThreadsToReadsWritesAndExplain) {
  auto options = router_options(unique_name("lw"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  Settings settings{{"app.tenant_id", "9"}};
  for (auto intent : {Intent::kRead, Intent::kWrite}) {
    std::promise<Result<Rows>> p;
    router.execute(
        intent, kShowSettings, {}, Deadline::after(30s), [&](Result<Rows> r) { p.set_value(std::move(r)); },
        {}, settings);
    auto r = p.get_future().get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->rows[0][0], "9");
    auto plain = call(router, intent, kShowSettings);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(plain->rows[0][0], "");
  }
}

TEST(LoopReadsPgTest, AStatementThatFailsOnItsFirstRunStaysPreparedAndRunsNextTime) {
  auto options = router_options(unique_name("lf"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  const std::string sql = "SELECT (10 / $1::int)::text";
  auto failed = loop.read(sql, {std::string("0")});
  ASSERT_FALSE(failed.result.ok());
  EXPECT_EQ(failed.result.error().message.rfind("22012: ", 0), 0u) << failed.result.error().message;
  auto ok = loop.read(sql, {std::string("5")});
  ASSERT_TRUE(ok.result.ok()) << ok.result.error().message;
  EXPECT_EQ(ok.result->rows[0][0], "2");
}

TEST(LoopReadsPgTest, PreparedStatementsPerConnectionStayBounded) {
  auto options = router_options(unique_name("lb"), false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  for (int i = 0; i < 300; ++i) {
    auto a = loop.read("SELECT " + std::to_string(i) + "::text");
    ASSERT_TRUE(a.result.ok()) << i << ": " << a.result.error().message;
    ASSERT_EQ(a.result->rows[0][0], std::to_string(i));
  }
  auto count = loop.read("SELECT count(*)::text FROM pg_prepared_statements");
  ASSERT_TRUE(count.result.ok()) << count.result.error().message;
  EXPECT_LE(std::stoi(*count.result->rows[0][0]), 256);
  EXPECT_GE(std::stoi(*count.result->rows[0][0]), 1);
}

TEST(LoopReadsPgTest, AStatementStillRunningAtItsDeadlineIsCanceledOnTheServer) {
  std::string app = unique_name("ld");
  auto options = router_options(app, false);
  options.primary_limits = {.size = 1, .max_overflow = 0};
  Router router(options);
  router.start();
  BoundLoop loop(router);
  auto slow = loop.read("SELECT pg_sleep(30)::text", {}, Deadline::after(300ms));
  ASSERT_FALSE(slow.result.ok());
  EXPECT_EQ(slow.result.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(slow.result.error().message.rfind("57014: ", 0), 0u) << slow.result.error().message;
  // The server stopped it (no session still sleeping) and the connection serves the next read.
  EXPECT_EQ(scalar(primary_url(), "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '" +
                                      app + "%' AND query LIKE '%pg_sleep(30)%' AND state = 'active'"),
            "0");
  auto next = loop.read("SELECT 'next'");
  ASSERT_TRUE(next.result.ok()) << next.result.error().message;
  EXPECT_EQ(next.result->rows[0][0], "next");
}

}  // namespace
}  // namespace fraiseql::db::pgtest
