#pragma once
/// The response cache: an in-process LRU (L1) in front of Redis (L2), invalidated by
/// per-tag generations shared through Redis, with single flight for identical misses.
/// Knows nothing of GraphQL: a key is an opaque string, tags are opaque names.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fraiseql/core/deadline.hpp"
#include "fraiseql/core/result.hpp"
#include "fraiseql/resilience/circuit_breaker.hpp"

namespace fraiseql::metrics {
class Registry;
}

namespace fraiseql::cache {

struct CacheOptions {
  std::size_t max_bytes = std::size_t{256} << 20U;  // L1 budget
  unsigned shards = 16;
  std::string redis_url;  // empty: L1 alone
  std::string key_prefix = "fraiseql:cache:";
  std::chrono::milliseconds redis_timeout{100};  // every Redis call's deadline, at most
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  unsigned breaker_failures = 5;
  std::chrono::milliseconds breaker_recovery{60000};
};

enum class Level : std::uint8_t { kLocal, kRedis };

class Cache;

/// The right, and duty, to compute a missed entry. Move-only; dropped without put()
/// (the computation failed or is not cacheable), identical lookups waiting on it are
/// told to compute for themselves. The Cache must outlive it.
class Fill {
 public:
  Fill() noexcept;
  ~Fill();
  Fill(Fill&& other) noexcept;
  Fill& operator=(Fill&& other) noexcept;
  Fill(const Fill&) = delete;
  Fill& operator=(const Fill&) = delete;

  /// Stores the body in L1 and, when Redis is usable, L2; hands it to the waiters.
  void put(std::string body, std::chrono::milliseconds ttl);
  /// Same as dropping it.
  void abandon();
  explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  friend class Cache;
  struct State;
  explicit Fill(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// What a lookup found: a body (hit) or a Fill (miss).
struct Lookup {
  std::shared_ptr<const std::string> body;
  Level level = Level::kLocal;
  Fill fill;
  [[nodiscard]] bool hit() const noexcept { return body != nullptr; }
};

/// Thread-safe. Lookups never block: an L1 answer comes inline, Redis answers come on
/// the cache's own thread, and while Redis is down or its breaker open lookups skip it.
class Cache {
 public:
  using Callback = std::function<void(Lookup)>;

  /// With a registry, exports fraiseql_cache_* and the breaker's gauge (target "redis").
  explicit Cache(CacheOptions options, metrics::Registry* registry = nullptr);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  /// Starts the cache thread and the Redis connections (Redis may be down: it is
  /// retried in the background with backoff). Required, also without Redis: the thread
  /// runs single-flight deadlines and publishes the L1 hit counter (once a second).
  void start();
  /// Stops the thread; waiting lookups are answered (as misses) first.
  void stop();

  /// L1, then L2, else a miss carrying the Fill. `done` runs exactly once: inline when L1
  /// answers or Redis is skipped, otherwise on the cache thread; it must not block (post
  /// to your own executor). A lookup identical to one being computed waits for that
  /// result until `deadline`, then misses without a Fill duty to others.
  /// `tags` are the names (types) the response depends on.
  void lookup(const std::string& key, const std::vector<std::string>& tags, Deadline deadline, Callback done);

  /// Entries depending on any of `tags` are never served again, here at once, in other
  /// instances sharing the Redis as soon as the bump reaches them. `done` (optional, on
  /// the cache thread or inline) tells whether Redis counted it; a bump Redis missed is
  /// retried in the background.
  void invalidate(const std::vector<std::string>& tags, std::function<void(Result<void>)> done = {});

  /// Drops every L1 entry (admin, tests).
  void clear_local();

  /// Both Redis connections (commands and the invalidation subscription) are up.
  [[nodiscard]] bool redis_connected() const noexcept;
  [[nodiscard]] resilience::BreakerState breaker_state();
  [[nodiscard]] std::size_t local_bytes() const;
  [[nodiscard]] std::size_t local_entries() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fraiseql::cache
