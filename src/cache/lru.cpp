#include "fraiseql/cache/lru.hpp"

#include <algorithm>
#include <ctime>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

namespace fraiseql::cache {

namespace {
// List node, map slot and allocator headers: what an entry costs beyond its strings.
constexpr std::size_t kNodeOverhead = 160;
}  // namespace

// Aligned so that two shards' locks never share a cache line.
struct alignas(64) Lru::Shard {
  std::mutex mu;
  std::list<Node> order;                                                    // front = most recently used
  std::unordered_map<HashedKey, std::list<Node>::iterator, KeyHash> index;  // keys point into `order`
  std::size_t bytes = 0;
  std::uint64_t evictions = 0;
};

Lru::Lru(LruOptions options) : options_(std::move(options)) {
  unsigned n = std::max(1U, options_.shards);
  shard_budget_ = options_.max_bytes / n;
  shards_.reserve(n);
  for (unsigned i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

Lru::~Lru() {
  clear();
}

Lru::Clock::time_point Lru::now() const {
  if (options_.clock) return options_.clock();
  // TTLs are seconds: the coarse clock (same timeline as steady_clock, a few ms
  // resolution) costs a fraction of a precise read on every hit.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

Lru::HashedKey Lru::hashed(std::string_view key) noexcept {
  return HashedKey{key, std::hash<std::string_view>{}(key)};
}

Lru::Shard& Lru::shard_for(const HashedKey& k) const noexcept {
  // The map buckets use the low bits of the same hash; mixing in the high bits keeps
  // the shard choice independent of the bucket.
  auto h = k.hash ^ (k.hash >> 29U);
  return *shards_[h % shards_.size()];
}

unsigned Lru::shard_of(std::string_view key) const noexcept {
  const Shard* s = &shard_for(hashed(key));
  for (unsigned i = 0; i < shards_.size(); ++i) {
    if (shards_[i].get() == s) return i;
  }
  return 0;
}

std::size_t Lru::charge(std::string_view key, const Entry& entry) noexcept {
  std::size_t n = kNodeOverhead + key.size() + (entry.body ? entry.body->size() : 0);
  for (const auto& t : entry.tags) n += t.tag.size() + sizeof(TagVersion);
  return n;
}

void Lru::unlink_locked(Shard& shard, std::list<Node>::iterator it) {
  shard.bytes -= it->bytes;
  if (options_.bytes_gauge != nullptr) options_.bytes_gauge->Decrement(static_cast<double>(it->bytes));
  shard.index.erase(HashedKey{it->key, it->hash});
  shard.order.erase(it);
}

std::shared_ptr<const std::string> Lru::get(std::string_view key, const Validator& valid) {
  auto hk = hashed(key);
  Shard& shard = shard_for(hk);
  std::lock_guard lock(shard.mu);
  auto found = shard.index.find(hk);
  if (found == shard.index.end()) return nullptr;
  auto it = found->second;
  if (now() >= it->expires || (valid && !valid(it->entry))) {
    unlink_locked(shard, it);
    return nullptr;
  }
  if (it != shard.order.begin()) shard.order.splice(shard.order.begin(), shard.order, it);
  return it->entry.body;
}

bool Lru::put(const std::string& key, Entry entry, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0 || !entry.body) return false;
  std::size_t bytes = charge(key, entry);
  if (bytes > shard_budget_) return false;
  auto t = now();
  auto hk = hashed(key);
  Shard& shard = shard_for(hk);
  std::uint64_t evicted = 0;
  {
    std::lock_guard lock(shard.mu);
    if (auto found = shard.index.find(hk); found != shard.index.end()) {
      unlink_locked(shard, found->second);
    }
    // Expired entries go first (from the cold end), then the least recently used.
    for (auto it = shard.order.end(); shard.bytes + bytes > shard_budget_ && it != shard.order.begin();) {
      --it;
      if (t >= it->expires) {
        auto victim = it++;
        unlink_locked(shard, victim);
      }
    }
    while (shard.bytes + bytes > shard_budget_ && !shard.order.empty()) {
      unlink_locked(shard, std::prev(shard.order.end()));
      ++evicted;
    }
    shard.order.push_front(Node{key, hk.hash, std::move(entry), t + ttl, bytes});
    shard.index.emplace(HashedKey{shard.order.front().key, hk.hash}, shard.order.begin());
    shard.bytes += bytes;
    shard.evictions += evicted;
  }
  if (options_.bytes_gauge != nullptr) options_.bytes_gauge->Increment(static_cast<double>(bytes));
  if (evicted != 0 && options_.evictions_counter != nullptr) {
    options_.evictions_counter->Increment(static_cast<double>(evicted));
  }
  return true;
}

bool Lru::erase(std::string_view key) {
  auto hk = hashed(key);
  Shard& shard = shard_for(hk);
  std::lock_guard lock(shard.mu);
  auto found = shard.index.find(hk);
  if (found == shard.index.end()) return false;
  unlink_locked(shard, found->second);
  return true;
}

void Lru::clear() {
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    if (options_.bytes_gauge != nullptr) options_.bytes_gauge->Decrement(static_cast<double>(s->bytes));
    s->index.clear();
    s->order.clear();
    s->bytes = 0;
  }
}

std::size_t Lru::bytes() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->bytes;
  }
  return n;
}

std::size_t Lru::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->order.size();
  }
  return n;
}

std::uint64_t Lru::evictions() const {
  std::uint64_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->evictions;
  }
  return n;
}

}  // namespace fraiseql::cache
