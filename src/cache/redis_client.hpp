#pragma once
// The cache's own thread: a poll() loop driving two hiredis async connections (one for
// commands, one subscribed to the invalidation channel) and the cache's timers. Callers
// on any thread queue work and return at once; every callback runs on this thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fraiseql/core/deadline.hpp"
#include "fraiseql/core/result.hpp"

struct redisAsyncContext;
struct redisReply;

namespace fraiseql::cache {

/// A copy of a hiredis reply, owned by C++.
struct Reply {
  enum class Type : std::uint8_t { kNil, kString, kInteger, kArray, kError, kStatus };
  Type type = Type::kNil;
  std::string str;
  long long integer = 0;
  std::vector<Reply> elements;
};

struct RedisEndpoint {
  std::string host;
  int port = 0;
  int db = 0;
  std::string password;
};

/// redis://[:password@]host[:port][/db]; an error for anything else.
Result<RedisEndpoint> parse_redis_url(const std::string& url);

struct RedisClientOptions {
  RedisEndpoint endpoint;  // port 0: no Redis, the loop only runs timers
  std::string channel;     // subscribed to when non-empty
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2000};
};

class RedisClient {
 public:
  using Callback = std::function<void(Result<Reply>)>;
  using Clock = std::chrono::steady_clock;

  explicit RedisClient(RedisClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Called with each message payload on the channel.
  void set_on_message(std::function<void(const std::string&)> fn) { on_message_ = std::move(fn); }
  /// Called each time the subscription is (re)established: messages may have been missed.
  void set_on_subscribed(std::function<void()> fn) { on_subscribed_ = std::move(fn); }

  void start();
  /// Fails what is queued or in flight, runs the remaining timers, joins the thread.
  void stop();

  /// Sends one command; `done` runs exactly once on the loop thread: the reply (an error
  /// reply is still a reply), kTimeout at the deadline, or kUnavailable when there is
  /// no connection (never queued behind a reconnect).
  void command(std::vector<std::string> args, Deadline deadline, Callback done);

  /// Runs `fn` on the loop thread at `at` (or at stop(), whichever is first).
  void schedule(Clock::time_point at, std::function<void()> fn);

  [[nodiscard]] bool connected() const noexcept { return connected_.load(std::memory_order_relaxed); }
  [[nodiscard]] bool subscribed() const noexcept { return subscribed_.load(std::memory_order_relaxed); }

 private:
  struct Conn {
    RedisClient* owner = nullptr;
    redisAsyncContext* ac = nullptr;
    bool subscriber = false;
    bool connected = false;
    bool want_read = false;
    bool want_write = false;
    bool was_up = false;  // for logging an outage once
    Clock::time_point connect_started{};
    Clock::time_point next_attempt{};
    std::chrono::milliseconds backoff{0};
  };
  struct Op {
    std::vector<std::string> args;
    Clock::time_point deadline;
    Callback done;
  };
  struct InFlight {
    Callback done;
    std::multimap<Clock::time_point, std::uint64_t>::iterator by_deadline;
  };

  void run();
  void wake();
  void drain_inbox();
  void send(Op op);
  void expire(Clock::time_point now);
  void maintain(Conn& c, Clock::time_point now);
  void connect(Conn& c, Clock::time_point now);
  void handle_io(Conn& c, short revents);
  void finish(std::uint64_t id, Result<Reply> result);
  void shutdown_loop();

  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_disconnect(const redisAsyncContext* ac, int status);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_sub_reply(redisAsyncContext* ac, void* reply, void* privdata);
  static void ev_add_read(void* data);
  static void ev_del_read(void* data);
  static void ev_add_write(void* data);
  static void ev_del_write(void* data);
  static void ev_cleanup(void* data);
  void lost(Conn& c);

  RedisClientOptions options_;
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_subscribed_;

  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> subscribed_{false};

  std::mutex inbox_mu_;
  std::vector<Op> inbox_ops_;
  std::vector<std::pair<Clock::time_point, std::function<void()>>> inbox_timers_;

  // Loop thread only.
  Conn cmd_;
  Conn sub_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, InFlight> in_flight_;
  // Send times of the commands whose replies are still due, oldest first (Redis answers
  // in order, also for commands that already timed out here).
  std::deque<Clock::time_point> unanswered_;
  std::multimap<Clock::time_point, std::uint64_t> deadlines_;
  std::multimap<Clock::time_point, std::function<void()>> timers_;
};

}  // namespace fraiseql::cache
