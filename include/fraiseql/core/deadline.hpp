#pragma once
/// A point in steady time after which work must stop; every external call takes one.

#include <chrono>

namespace fraiseql {

class Deadline {
 public:
  using clock = std::chrono::steady_clock;

  static Deadline after(clock::duration d) { return Deadline(clock::now() + d); }
  static Deadline never() { return Deadline(clock::time_point::max()); }

  explicit Deadline(clock::time_point at) : at_(at) {}

  [[nodiscard]] clock::time_point at() const noexcept { return at_; }
  [[nodiscard]] bool expired() const noexcept { return clock::now() >= at_; }
  /// Time left, never negative.
  [[nodiscard]] clock::duration remaining() const noexcept {
    auto now = clock::now();
    return now >= at_ ? clock::duration::zero() : at_ - now;
  }

 private:
  clock::time_point at_;
};

}  // namespace fraiseql
