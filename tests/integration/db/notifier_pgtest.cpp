// LISTEN/NOTIFY on the real primary: notifications sent from another session reach the
// listeners of their channel only; after the listener's backend is killed with
// pg_terminate_backend, the notifier reconnects, LISTENs again, and later
// notifications still arrive.

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "fraiseql/db/notifier.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "pg_support.hpp"

namespace fraiseql::db::pgtest {
namespace {

// Notifications as a listener saw them, for the test thread to wait on.
class Inbox {
 public:
  Listener listener() {
    return [this](const Notification& n) {
      std::lock_guard lock(mu_);
      got_.push_back(n);
      cv_.notify_all();
    };
  }
  // Waits (30 s at most) until a notification with `payload` has arrived.
  bool wait_for(const std::string& payload) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [&] {
      return std::any_of(got_.begin(), got_.end(),
                         [&](const Notification& n) { return n.payload == payload; });
    });
  }
  std::vector<Notification> all() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Notification> got_;
};

void notify(const std::string& channel, const std::string& payload) {
  pqxx::connection conn(primary_url());
  pqxx::nontransaction tx(conn);
  tx.exec_params("SELECT pg_notify($1, $2)", channel, payload);
}

std::vector<std::string> payloads(const std::vector<Notification>& got) {
  std::vector<std::string> out;
  out.reserve(got.size());
  for (const auto& n : got) out.push_back(n.payload);
  return out;
}

TEST(NotifierPgTest, DeliversNotificationsToTheListenersOfTheirChannel) {
  std::string app = unique_name("nt");
  Notifier notifier({.url = primary_url(), .application_name = app});
  Inbox posts;
  Inbox users;
  std::string posts_channel = "Post Created " + app;  // needs quoting: spaces and capitals
  auto a = notifier.listen(posts_channel, posts.listener());
  auto b = notifier.listen("user_changed_" + app, users.listener());
  notifier.start();
  ASSERT_TRUE(eventually([&] { return notifier.listening(posts_channel); }));
  ASSERT_TRUE(eventually([&] { return notifier.listening("user_changed_" + app); }));

  notify(posts_channel, "post 1");
  notify("user_changed_" + app, "user 7");
  ASSERT_TRUE(posts.wait_for("post 1"));
  ASSERT_TRUE(users.wait_for("user 7"));
  auto got = posts.all();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].channel, posts_channel);
  EXPECT_NE(got[0].sender_pid, 0);
  EXPECT_NE(got[0].sender_pid, notifier.backend_pid()) << "sent by another session";
  EXPECT_EQ(payloads(users.all()), std::vector<std::string>{"user 7"});

  // One dedicated session on the primary, under our application_name.
  EXPECT_EQ(
      scalar(primary_url(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'"),
      "1");
  EXPECT_EQ(scalar(primary_url(), "SELECT application_name FROM pg_stat_activity WHERE pid = " +
                                      std::to_string(notifier.backend_pid())),
            app);
}

TEST(NotifierPgTest, ADroppedSubscriptionIsNoLongerCalled) {
  std::string app = unique_name("nu");
  Notifier notifier({.url = primary_url(), .application_name = app});
  Inbox first;
  Inbox second;
  auto a = notifier.listen("ch_a_" + app, first.listener());
  auto b = notifier.listen("ch_b_" + app, second.listener());
  notifier.start();
  ASSERT_TRUE(
      eventually([&] { return notifier.listening("ch_a_" + app) && notifier.listening("ch_b_" + app); }));
  a.reset();
  ASSERT_TRUE(eventually([&] { return !notifier.listening("ch_a_" + app); })) << "UNLISTEN was not issued";
  // Both from one session in this order: once the second arrives, the first would have.
  pqxx::connection conn(primary_url());
  pqxx::nontransaction tx(conn);
  tx.exec("SELECT pg_notify('ch_a_" + app + "', 'dropped')");
  tx.exec("SELECT pg_notify('ch_b_" + app + "', 'kept')");
  ASSERT_TRUE(second.wait_for("kept"));
  EXPECT_TRUE(first.all().empty());
}

TEST(NotifierPgTest, ReconnectsAndListensAgainAfterTheBackendIsKilled) {
  metrics::Registry registry;
  std::string app = unique_name("nk");
  std::atomic<int> resyncs{0};
  Notifier notifier({.url = primary_url(),
                     .application_name = app,
                     .backoff_min = 50ms,
                     .backoff_max = 1000ms,
                     .on_reconnect = [&] { ++resyncs; }},
                    &registry);
  Inbox inbox;
  std::string channel = "cache_invalidation_" + app;
  auto sub = notifier.listen(channel, inbox.listener());
  notifier.start();
  ASSERT_TRUE(eventually([&] { return notifier.listening(channel); }));
  notify(channel, "before");
  ASSERT_TRUE(inbox.wait_for("before"));

  int old_pid = notifier.backend_pid();
  ASSERT_NE(old_pid, 0);
  ASSERT_EQ(scalar(primary_url(), "SELECT pg_terminate_backend(" + std::to_string(old_pid) + ")::text"),
            "true");
  ASSERT_TRUE(eventually([&] {
    int pid = notifier.backend_pid();
    return pid != 0 && pid != old_pid && notifier.listening(channel);
  })) << "no new LISTEN session";
  EXPECT_EQ(
      scalar(primary_url(), "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(old_pid)),
      "0");
  EXPECT_EQ(notifier.reconnects(), 1u);
  EXPECT_EQ(resyncs.load(), 1) << "consumers are told that notifications may have been missed";

  notify(channel, "after");
  ASSERT_TRUE(inbox.wait_for("after")) << "the channel was not LISTENed again on the new session";
  EXPECT_EQ(payloads(inbox.all()), (std::vector<std::string>{"before", "after"}));
  std::string text = registry.serialize();
  for (const char* needle : {"fraiseql_db_notifier_connected 1", "fraiseql_db_notifications_total 2",
                             "fraiseql_db_notifier_reconnects_total 1"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
  }
}

TEST(NotifierPgTest, KeepsRetryingAnUnreachableServerAndStillStops) {
  // Nothing listens on port 1 of loopback: every attempt is refused at once.
  NotifierOptions options{
      .url = "postgresql://fraiseql@127.0.0.1:1/fraiseql", .backoff_min = 20ms, .backoff_max = 100ms};
  Notifier notifier(options);
  auto sub = notifier.listen("x", [](const Notification&) {});
  notifier.start();
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(notifier.connected());
  EXPECT_FALSE(notifier.listening("x"));
  notifier.stop();  // returns although the connection never came up
}

TEST(NotifierPgTest, StopInterruptsAConnectionAttemptThatHangs) {
  // A loopback listener that never accepts: the kernel completes the handshake, then the
  // startup packet is never answered, as with a server stuck in a hung state.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = "postgresql://fraiseql@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/fraiseql";

  Notifier notifier({.url = url, .connect_timeout = 60s});
  notifier.start();
  std::this_thread::sleep_for(300ms);  // let the attempt reach the unanswered startup packet
  EXPECT_FALSE(notifier.connected());
  auto t0 = std::chrono::steady_clock::now();
  notifier.stop();
  // A generous bound on a fail-fast path: without the interruption this takes 60 s.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  ::close(fd);
}

}  // namespace
}  // namespace fraiseql::db::pgtest
