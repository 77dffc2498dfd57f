#pragma once
/// Token buckets per key (a token's subject, a client address): `rate` requests per
/// second on average, bursts of up to `burst`. Thread-safe and sharded; the number of
/// keys is bounded so a flood of distinct keys cannot grow memory without end.

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fraiseql/resilience/circuit_breaker.hpp"

namespace fraiseql::resilience {

struct RateLimit {
  double rate = 0;   // tokens added per second; 0 turns the limiter off
  double burst = 0;  // bucket size; at least 1
};

class RateLimiter {
 public:
  /// `max_keys` bounds the buckets kept; beyond it full (idle) buckets are dropped first.
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100'000, Clock clock = {});

  struct Decision {
    bool allowed = true;
    /// When refused: how long until a token is back (for Retry-After), at least 1 s.
    std::chrono::seconds retry_after{0};
  };

  /// Takes one token from `key`'s bucket, or says how long to wait.
  Decision acquire(std::string_view key);

  [[nodiscard]] bool enabled() const noexcept { return limit_.rate > 0; }
  [[nodiscard]] std::size_t keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 16;

  void refill(Bucket& b, std::chrono::steady_clock::time_point now) const;
  void make_room(Shard& shard, std::chrono::steady_clock::time_point now);

  RateLimit limit_;
  std::size_t max_per_shard_;
  Clock clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace fraiseql::resilience
