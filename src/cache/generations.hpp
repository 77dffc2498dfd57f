#pragma once
// Per-tag generations as this process knows them. A tag's local `version` moves on every
// change seen (a local invalidate, a different Redis generation from pub/sub or a
// lookup); L1 entries store versions, so any change of a tag makes them unservable.
// `redis` is the last generation read from Redis, the currency L2 entries are stored in.

#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fraiseql/cache/lru.hpp"

namespace fraiseql::cache {

class Generations {
 public:
  struct Snapshot {
    std::uint64_t epoch = 0;
    std::vector<TagVersion> versions;
    /// A local bump not yet counted in Redis: L2 would answer with stale data.
    bool pending = false;
  };

  /// Versions of `tags` now (unknown tags start at version 0 and are remembered).
  Snapshot snapshot(const std::vector<std::string>& tags);

  /// Whether an entry's versions are all still current; refreshes its checked_epoch.
  bool valid(Entry& entry) const;

  /// Any change at all moves the epoch (the fast path of valid()).
  [[nodiscard]] std::uint64_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }

  /// A local invalidation: new versions at once; with `owe_redis`, each tag owes Redis
  /// an INCR until forget_pending().
  void bump(const std::vector<std::string>& tags, bool owe_redis);

  /// A generation read from Redis. From pub/sub (ordered) any difference counts; from a
  /// lookup reply, which may be older than a message already seen, only a larger one.
  void observe(const std::string& tag, long long generation, bool ordered);

  /// Every version moves: used when the subscription was down and messages were missed.
  void bump_all();

  /// Tags owing Redis an INCR, each with the number of its latest local bump; after Redis
  /// counted an INCR sent for that bump, acknowledge() it (later bumps stay owed).
  std::vector<std::pair<std::string, std::uint64_t>> pending() const;
  void acknowledge(const std::string& tag, std::uint64_t bump);

 private:
  struct State {
    std::uint64_t version = 0;
    std::optional<long long> redis;
    std::uint64_t owed = 0;   // local bumps made
    std::uint64_t acked = 0;  // the latest of them Redis has counted an INCR for
  };
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, State> tags_;
  std::atomic<std::uint64_t> epoch_{1};
};

}  // namespace fraiseql::cache
