#include "fraiseql/db/write_tracker.hpp"

#include <algorithm>

namespace fraiseql::db {

void WriteTracker::record(const std::string& subject, std::uint64_t lsn, clock::time_point now) {
  if (subject.empty() || window_.count() <= 0) return;
  std::lock_guard lock(mu_);
  auto& e = entries_[subject];
  // Writes of one subject may finish out of order on different connections.
  e.lsn = std::max(e.lsn, lsn);
  e.until = now + window_;
  if (entries_.size() >= prune_at_) prune_locked(now);
}

std::uint64_t WriteTracker::required(const std::string& subject, clock::time_point now) const {
  if (subject.empty()) return 0;
  std::lock_guard lock(mu_);
  auto it = entries_.find(subject);
  if (it == entries_.end() || now >= it->second.until) return 0;
  return it->second.lsn;
}

std::size_t WriteTracker::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void WriteTracker::prune_locked(clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.until; });
  // Sweep again only after the live set has doubled, so record() stays amortised O(1).
  prune_at_ = std::max<std::size_t>(1024, 2 * entries_.size());
}

}  // namespace fraiseql::db
