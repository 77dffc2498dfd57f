#include "generations.hpp"

#include <algorithm>
#include <mutex>

namespace fraiseql::cache {

Generations::Snapshot Generations::snapshot(const std::vector<std::string>& tags) {
  Snapshot s;
  s.versions.reserve(tags.size());
  {
    std::shared_lock lock(mu_);
    bool all_known = true;
    for (const auto& t : tags) {
      if (tags_.find(t) == tags_.end()) all_known = false;
    }
    if (all_known) {
      // Epoch read under the lock: no bump can fall between it and the versions.
      s.epoch = epoch_.load(std::memory_order_acquire);
      for (const auto& t : tags) {
        const State& st = tags_.find(t)->second;
        s.versions.push_back({t, st.version});
        s.pending = s.pending || st.owed > st.acked;
      }
      return s;
    }
  }
  std::unique_lock lock(mu_);
  s.epoch = epoch_.load(std::memory_order_acquire);
  for (const auto& t : tags) {
    const State& st = tags_[t];
    s.versions.push_back({t, st.version});
    s.pending = s.pending || st.owed > st.acked;
  }
  return s;
}

bool Generations::valid(Entry& entry) const {
  std::uint64_t now = epoch_.load(std::memory_order_acquire);
  if (entry.checked_epoch == now) return true;
  std::shared_lock lock(mu_);
  now = epoch_.load(std::memory_order_acquire);
  for (const auto& tv : entry.tags) {
    auto it = tags_.find(tv.tag);
    if (it == tags_.end() || it->second.version != tv.version) return false;
  }
  entry.checked_epoch = now;
  return true;
}

void Generations::bump(const std::vector<std::string>& tags, bool owe_redis) {
  std::unique_lock lock(mu_);
  for (const auto& t : tags) {
    State& st = tags_[t];
    ++st.version;
    if (owe_redis) ++st.owed;
  }
  epoch_.fetch_add(1, std::memory_order_acq_rel);
}

void Generations::observe(const std::string& tag, long long generation, bool ordered) {
  {
    std::shared_lock lock(mu_);
    auto it = tags_.find(tag);
    if (it != tags_.end() && it->second.redis &&
        (*it->second.redis == generation || (!ordered && generation < *it->second.redis))) {
      return;
    }
  }
  std::unique_lock lock(mu_);
  State& st = tags_[tag];
  if (st.redis && (*st.redis == generation || (!ordered && generation < *st.redis))) return;
  // A Redis that restarted empty counts again from 0: a smaller generation from pub/sub
  // is a change too, never something to ignore.
  bool first = !st.redis.has_value();
  st.redis = generation;
  // The first generation a lookup reads says nothing new: changes before it reached
  // this process through pub/sub, or bump_all() ran when the subscription came up.
  if (first && !ordered) return;
  ++st.version;
  epoch_.fetch_add(1, std::memory_order_acq_rel);
}

void Generations::bump_all() {
  std::unique_lock lock(mu_);
  for (auto& [tag, st] : tags_) ++st.version;
  epoch_.fetch_add(1, std::memory_order_acq_rel);
}

std::vector<std::pair<std::string, std::uint64_t>> Generations::pending() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  std::shared_lock lock(mu_);
  for (const auto& [tag, st] : tags_) {
    if (st.owed > st.acked) out.emplace_back(tag, st.owed);
  }
  return out;
}

void Generations::acknowledge(const std::string& tag, std::uint64_t bump) {
  std::unique_lock lock(mu_);
  auto it = tags_.find(tag);
  if (it == tags_.end()) return;
  it->second.acked = std::max(it->second.acked, bump);
}

}  // namespace fraiseql::cache
