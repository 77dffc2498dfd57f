#include "fraiseql/resilience/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace fraiseql::resilience {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys, Clock clock)
    : limit_(limit), max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)), clock_(std::move(clock)) {
  limit_.burst = std::max(1.0, limit_.burst);
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

void RateLimiter::refill(Bucket& b, std::chrono::steady_clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.rate);
    b.updated = now;
  }
}

void RateLimiter::make_room(Shard& shard, std::chrono::steady_clock::time_point now) {
  // A full bucket is the same as no bucket: drop those first.
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    refill(it->second, now);
    it = it->second.tokens >= limit_.burst ? shard.buckets.erase(it) : std::next(it);
  }
  // Still full: forget the bucket that has been quiet longest (it has refilled most).
  if (shard.buckets.size() >= max_per_shard_) {
    auto oldest =
        std::min_element(shard.buckets.begin(), shard.buckets.end(),
                         [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    shard.buckets.erase(oldest);
  }
}

RateLimiter::Decision RateLimiter::acquire(std::string_view key) {
  if (!enabled()) return {};
  const auto now = clock_();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) make_room(shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  refill(b, now);
  // The epsilon absorbs rounding: ten refills of 0.1 must make a whole token.
  constexpr double kEpsilon = 1e-9;
  if (b.tokens >= 1.0 - kEpsilon) {
    b.tokens = std::max(0.0, b.tokens - 1.0);
    return {};
  }
  const double wait = (1.0 - b.tokens) / limit_.rate;
  return {false, std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))))};
}

std::size_t RateLimiter::keys() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace fraiseql::resilience
