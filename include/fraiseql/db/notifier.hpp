#pragma once
/// LISTEN/NOTIFY: one dedicated connection to the primary per process, on its own
/// thread. Listeners register per channel; the notifier LISTENs for every channel that
/// has one, delivers each notification to that channel's listeners, and after losing the
/// connection reconnects with backoff and LISTENs again. Notifications sent while it was
/// disconnected are lost: on_reconnect tells consumers (cache invalidation) to resync.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace prometheus {
class Counter;
class Gauge;
}  // namespace prometheus

struct pg_conn;  // libpq's PGconn

namespace fraiseql::metrics {
class Registry;
}

namespace fraiseql::db {

struct Notification {
  std::string channel;
  std::string payload;
  int sender_pid = 0;  // backend that sent the NOTIFY
};

/// Runs on the notifier's thread; must not block (post to your own executor).
using Listener = std::function<void(const Notification&)>;

struct NotifierOptions {
  std::string url;  // the primary
  std::string application_name = "fraiseql:notifier";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds backoff_min{100};  // first retry after a lost connection
  std::chrono::milliseconds backoff_max{10000};
  // An idle connection is checked this often, so a silently dead one is noticed.
  std::chrono::milliseconds ping_interval{10000};
  // Called on the notifier's thread after a reconnect, once every channel is LISTENed
  // again: anything sent meanwhile was missed. Must not block.
  std::function<void()> on_reconnect;
};

/// Thread-safe. With a registry, exports fraiseql_db_notifier_connected,
/// fraiseql_db_notifications_total and fraiseql_db_notifier_reconnects_total.
class Notifier {
 public:
  explicit Notifier(NotifierOptions options, metrics::Registry* registry = nullptr);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  /// Registration handle: the listener is removed when it is destroyed (or reset). After
  /// that returns, the listener is not running and will not be called again. It must not
  /// outlive the Notifier.
  class Subscription {
   public:
    Subscription() = default;
    ~Subscription() { reset(); }
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    void reset();
    explicit operator bool() const noexcept { return owner_ != nullptr; }

   private:
    friend class Notifier;
    Subscription(Notifier* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    Notifier* owner_ = nullptr;
    std::uint64_t id_ = 0;
  };

  void start();
  /// Joins the thread; interrupts a connection attempt or a backoff wait.
  void stop();

  /// Registers `listener` for `channel` (any name; quoted for LISTEN). The channel is
  /// LISTENed shortly after, asynchronously: use listening() to wait for it.
  [[nodiscard]] Subscription listen(const std::string& channel, Listener listener);

  /// True while connected with `channel` LISTENed.
  [[nodiscard]] bool listening(const std::string& channel) const;
  [[nodiscard]] bool connected() const;
  /// Server process id of the current connection (0 when disconnected).
  [[nodiscard]] int backend_pid() const;
  /// Connections opened after the first one.
  [[nodiscard]] std::uint64_t reconnects() const;

 private:
  struct Entry {
    std::string channel;
    std::shared_ptr<Listener> listener;
  };
  void unlisten(std::uint64_t id);
  void run();
  std::unique_ptr<pg_conn, void (*)(pg_conn*)> open_connection(const std::string& conninfo,
                                                               std::string& error);
  void wake();

  NotifierOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;           // backoff sleeps and stop
  std::condition_variable delivery_cv_;  // unlisten waits for a running delivery
  std::map<std::uint64_t, Entry> entries_;
  std::map<std::string, bool> listened_;  // channel -> LISTEN done on this connection
  std::uint64_t next_id_ = 1;
  std::uint64_t delivering_ = 0;  // id of the listener running now, 0 for none
  bool stopping_ = false;
  bool connected_ = false;
  int backend_pid_ = 0;
  std::uint64_t reconnects_ = 0;
  int wake_fd_ = -1;  // eventfd: registration changes and stop interrupt the wait
  std::thread thread_;
  prometheus::Gauge* connected_gauge_ = nullptr;
  prometheus::Counter* notifications_counter_ = nullptr;
  prometheus::Counter* reconnects_counter_ = nullptr;
};

}  // namespace fraiseql::db
