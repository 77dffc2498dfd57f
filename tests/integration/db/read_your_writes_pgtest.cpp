// Read-your-writes on the real servers. With replay paused on the replica (which stays
// within max_replica_lag, so it still takes ordinary reads), a read carrying the write's
// token or the writer's subject is answered by the primary and sees the row, while a
// read without them is answered by the replica, which does not. Once replay resumes and
// the replica has passed the write's position, the same reads return to the replica.
// Which server answered is asked of the server (inet_server_port), not of the router.
// Pauses the shared replica, so it runs alone.

#include <gtest/gtest.h>

#include "fraiseql/db/lsn.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

struct Seen {
  std::string rows;   // count(*) of the test table on the answering server
  int port = 0;       // inet_server_port() of the answering server; 0 when the read failed
  std::string error;  // why it failed
};

Seen seen(Router& router, const std::string& table, const Consistency& who) {
  auto r =
      call(router, Intent::kRead, "SELECT count(*)::text, inet_server_port()::text FROM " + table, {}, who);
  if (!r.ok()) return {.error = r.error().message};
  return {.rows = r->rows[0][0].value_or(""), .port = std::stoi(r->rows[0][1].value_or("0"))};
}

TEST(ReadYourWritesPgTest, WritersReadTheirWriteWhereItIsVisible) {
  metrics::Registry registry;
  auto options = router_options(unique_name("ryw"));
  // The replica must stay eligible while paused: this is about visibility, not lag.
  options.max_replica_lag = std::chrono::minutes(10);
  options.read_your_writes_window = std::chrono::minutes(10);
  Router router(options, &registry);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  std::string table = unique_name("t_ryw");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int)").ok());
  ASSERT_TRUE(eventually([&] { return seen(router, table, {}).port == replica_port(); }));

  PausedReplay paused;
  auto w = call(router, Intent::kWrite, "INSERT INTO " + table + " VALUES (1)", {}, {.subject = "alice"});
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_TRUE(parse_lsn(w->consistency_token).has_value()) << "token: '" << w->consistency_token << "'";
  const Consistency token{.token = w->consistency_token};

  // The replica has not replayed the insert: only the primary can show it.
  auto with_token = seen(router, table, token);
  EXPECT_EQ(with_token.port, primary_port()) << with_token.error;
  EXPECT_EQ(with_token.rows, "1");
  auto as_writer = seen(router, table, {.subject = "alice"});
  EXPECT_EQ(as_writer.port, primary_port()) << as_writer.error;
  EXPECT_EQ(as_writer.rows, "1");
  auto anyone = seen(router, table, {.subject = "bob"});
  EXPECT_EQ(anyone.port, replica_port())
      << anyone.error << ": readers without the write keep using the replica";
  EXPECT_EQ(anyone.rows, "0") << "replay really is paused";
  auto anonymous = seen(router, table, {});
  EXPECT_EQ(anonymous.port, replica_port());
  std::string text = registry.serialize();
  EXPECT_NE(text.find("fraiseql_db_read_your_writes_primary_total 2"), std::string::npos) << text;
  EXPECT_NE(text.find("fraiseql_db_replica_fallback_total 0"), std::string::npos)
      << "following a write is not a fallback\n"
      << text;

  paused.resume();
  EXPECT_TRUE(eventually([&] {
    auto s = seen(router, table, token);
    return s.port == replica_port() && s.rows == "1";
  })) << "the token read never returned to the replica";
  EXPECT_TRUE(eventually([&] {
    auto s = seen(router, table, {.subject = "alice"});
    return s.port == replica_port() && s.rows == "1";
  })) << "the writer's reads never returned to the replica within the window";
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

TEST(ReadYourWritesPgTest, TheWindowEndsAndReadsGoBackToTheReplica) {
  auto options = router_options(unique_name("rww"));
  options.max_replica_lag = std::chrono::minutes(10);
  options.read_your_writes_window = 3s;
  Router router(options);
  router.start();
  ASSERT_TRUE(eventually([&] { return router.hosts().at(1).reads_eligible; }));
  std::string table = unique_name("t_rww");
  ASSERT_TRUE(write(router, "CREATE TABLE " + table + " (id int)").ok());
  ASSERT_TRUE(eventually([&] { return seen(router, table, {}).port == replica_port(); }));

  PausedReplay paused;
  ASSERT_TRUE(
      call(router, Intent::kWrite, "INSERT INTO " + table + " VALUES (1)", {}, {.subject = "carol"}).ok());
  auto during = seen(router, table, {.subject = "carol"});
  EXPECT_EQ(during.port, primary_port()) << during.error;
  EXPECT_EQ(during.rows, "1");
  // After the window the subject is an ordinary reader again, replay or not.
  EXPECT_TRUE(eventually([&] { return seen(router, table, {.subject = "carol"}).port == replica_port(); }));
  EXPECT_EQ(seen(router, table, {.subject = "carol"}).rows, "0");
  paused.resume();
  EXPECT_TRUE(write(router, "DROP TABLE " + table).ok());
}

}  // namespace
}  // namespace fraiseql::db::pgtest
