#pragma once
/// Circuit breaker per target (a database host, later Redis): closed, open after a run of
/// failures, half-open after a recovery timeout with exactly one probe let through.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace prometheus {
class Gauge;
}

namespace fraiseql::metrics {
class Registry;
}

namespace fraiseql::resilience {

/// Values of the gauge fraiseql_circuit_breaker_state{target}.
enum class BreakerState : std::uint8_t { kClosed = 0, kOpen = 1, kHalfOpen = 2 };

std::string_view to_string(BreakerState state) noexcept;

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct CircuitBreakerOptions {
  std::string target;                                 // label and log name, e.g. "primary"
  unsigned failure_threshold = 5;                     // consecutive failures that open the breaker
  std::chrono::milliseconds recovery_timeout{60000};  // open ► half-open
  Clock clock;                                        // steady_clock::now when empty; tests inject their own
};

/// Thread-safe. A caller asks for a Permit before calling the target and reports the
/// outcome on it; a permit dropped without a report counts as neither (e.g. the call
/// never reached the target), and frees the half-open probe slot for someone else.
class CircuitBreaker {
 public:
  class Permit {
   public:
    Permit() = default;
    ~Permit() { release(); }
    Permit(Permit&& other) noexcept
        : breaker_(std::exchange(other.breaker_, nullptr)), probe_(other.probe_) {}
    Permit& operator=(Permit&& other) noexcept {
      if (this != &other) {
        release();
        breaker_ = std::exchange(other.breaker_, nullptr);
        probe_ = other.probe_;
      }
      return *this;
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;

    /// The target answered (even with an application error such as bad SQL).
    void success();
    /// The target could not be reached or broke the connection.
    void failure();
    [[nodiscard]] bool probe() const noexcept { return probe_; }
    explicit operator bool() const noexcept { return breaker_ != nullptr; }

   private:
    friend class CircuitBreaker;
    Permit(CircuitBreaker* breaker, bool probe) : breaker_(breaker), probe_(probe) {}
    void release();

    CircuitBreaker* breaker_ = nullptr;
    bool probe_ = false;
  };

  /// With a registry, exports fraiseql_circuit_breaker_state{target}.
  explicit CircuitBreaker(CircuitBreakerOptions options, metrics::Registry* registry = nullptr);
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  /// A permit, or nullopt while the breaker is open (or half-open with its probe out).
  /// Never blocks.
  [[nodiscard]] std::optional<Permit> try_acquire();

  /// Current state; an open breaker whose recovery timeout has passed reads half-open.
  [[nodiscard]] BreakerState state();
  [[nodiscard]] unsigned consecutive_failures() const;
  [[nodiscard]] const std::string& target() const noexcept { return options_.target; }

 private:
  enum class Outcome { kNone, kSuccess, kFailure };
  void complete(bool probe, Outcome outcome);
  void maybe_half_open_locked(std::chrono::steady_clock::time_point now);
  void set_state_locked(BreakerState next);
  [[nodiscard]] std::chrono::steady_clock::time_point now() const;

  CircuitBreakerOptions options_;
  prometheus::Gauge* gauge_ = nullptr;
  mutable std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;
  unsigned failures_ = 0;
  bool probe_out_ = false;
  std::chrono::steady_clock::time_point opened_at_{};
};

}  // namespace fraiseql::resilience
