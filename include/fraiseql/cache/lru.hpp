#pragma once
/// The in-process tier: an LRU bounded in bytes, split into shards that each have their
/// own lock so that I/O threads looking up different keys do not contend.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
}  // namespace prometheus

namespace fraiseql::cache {

/// A tag (type name) with the local version it had when the entry was computed.
struct TagVersion {
  std::string tag;
  std::uint64_t version = 0;
};

/// What the LRU stores: the response body and the generations it was computed under.
struct Entry {
  std::shared_ptr<const std::string> body;
  std::vector<TagVersion> tags;
  /// The generation table's epoch at which `tags` were last known current; while the
  /// epoch has not moved, no tag can have changed and the per-tag check is skipped.
  std::uint64_t checked_epoch = 0;
};

struct LruOptions {
  std::size_t max_bytes = std::size_t{256} << 20U;
  unsigned shards = 16;
  /// steady_clock::now when empty; tests inject their own to expire entries.
  std::function<std::chrono::steady_clock::time_point()> clock;
  prometheus::Gauge* bytes_gauge = nullptr;          // fraiseql_cache_bytes
  prometheus::Counter* evictions_counter = nullptr;  // fraiseql_cache_evictions_total
};

/// Thread-safe. Each shard holds max_bytes / shards; an entry larger than a shard is
/// not stored. Expired entries are dropped when met (get) or when space is needed.
class Lru {
 public:
  using Clock = std::chrono::steady_clock;
  /// Decides under the shard lock whether an entry may still be served; may update
  /// entry.checked_epoch. Returning false erases the entry.
  using Validator = std::function<bool(Entry&)>;

  explicit Lru(LruOptions options = {});
  ~Lru();
  Lru(const Lru&) = delete;
  Lru& operator=(const Lru&) = delete;

  /// The body when present, unexpired and accepted by `valid` (when given); marks it
  /// most recently used.
  std::shared_ptr<const std::string> get(std::string_view key, const Validator& valid = {});

  /// Inserts or replaces; evicts least recently used entries of the shard to make room.
  /// False when the entry alone exceeds a shard's budget or ttl is not positive.
  bool put(const std::string& key, Entry entry, std::chrono::milliseconds ttl);

  bool erase(std::string_view key);
  void clear();

  [[nodiscard]] std::size_t bytes() const;
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::uint64_t evictions() const;
  [[nodiscard]] unsigned shard_count() const noexcept { return static_cast<unsigned>(shards_.size()); }
  [[nodiscard]] std::size_t shard_budget() const noexcept { return shard_budget_; }
  /// Which shard a key lives in (exposed for tests and the benchmark).
  [[nodiscard]] unsigned shard_of(std::string_view key) const noexcept;
  /// Bytes charged for an entry: key, body, tags plus a fixed overhead per node.
  static std::size_t charge(std::string_view key, const Entry& entry) noexcept;

 private:
  struct Node {
    std::string key;
    std::size_t hash = 0;
    Entry entry;
    Clock::time_point expires;
    std::size_t bytes = 0;
  };
  struct Shard;
  // A key with its hash, computed once per call for both the shard and the map.
  struct HashedKey {
    std::string_view key;
    std::size_t hash = 0;
    bool operator==(const HashedKey& o) const noexcept { return hash == o.hash && key == o.key; }
  };
  struct KeyHash {
    std::size_t operator()(const HashedKey& k) const noexcept { return k.hash; }
  };

  [[nodiscard]] Clock::time_point now() const;
  [[nodiscard]] static HashedKey hashed(std::string_view key) noexcept;
  [[nodiscard]] Shard& shard_for(const HashedKey& k) const noexcept;
  void unlink_locked(Shard& shard, std::list<Node>::iterator it);

  LruOptions options_;
  std::size_t shard_budget_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace fraiseql::cache
