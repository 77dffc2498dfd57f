#include "fraiseql/resilience/circuit_breaker.hpp"

#include <spdlog/spdlog.h>

#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::resilience {

std::string_view to_string(BreakerState state) noexcept {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half-open";
  }
  return "unknown";
}

void CircuitBreaker::Permit::success() {
  if (auto* b = std::exchange(breaker_, nullptr)) b->complete(probe_, Outcome::kSuccess);
}

void CircuitBreaker::Permit::failure() {
  if (auto* b = std::exchange(breaker_, nullptr)) b->complete(probe_, Outcome::kFailure);
}

void CircuitBreaker::Permit::release() {
  if (auto* b = std::exchange(breaker_, nullptr)) b->complete(probe_, Outcome::kNone);
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, metrics::Registry* registry)
    : options_(std::move(options)) {
  if (options_.failure_threshold == 0) options_.failure_threshold = 1;
  if (registry != nullptr) {
    gauge_ = &prometheus::BuildGauge()
                  .Name("fraiseql_circuit_breaker_state")
                  .Help("Circuit breaker state per target: 0 closed, 1 open, 2 half-open.")
                  .Register(registry->prom())
                  .Add({{"target", options_.target}});
    gauge_->Set(0);
  }
}

std::chrono::steady_clock::time_point CircuitBreaker::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

std::optional<CircuitBreaker::Permit> CircuitBreaker::try_acquire() {
  std::lock_guard lock(mu_);
  maybe_half_open_locked(now());
  switch (state_) {
    case BreakerState::kClosed: return Permit(this, false);
    case BreakerState::kOpen: return std::nullopt;
    case BreakerState::kHalfOpen:
      if (probe_out_) return std::nullopt;
      probe_out_ = true;
      return Permit(this, true);
  }
  return std::nullopt;
}

BreakerState CircuitBreaker::state() {
  std::lock_guard lock(mu_);
  maybe_half_open_locked(now());
  return state_;
}

unsigned CircuitBreaker::consecutive_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

void CircuitBreaker::maybe_half_open_locked(std::chrono::steady_clock::time_point t) {
  if (state_ == BreakerState::kOpen && t - opened_at_ >= options_.recovery_timeout) {
    probe_out_ = false;
    set_state_locked(BreakerState::kHalfOpen);
  }
}

void CircuitBreaker::complete(bool probe, Outcome outcome) {
  std::lock_guard lock(mu_);
  if (probe) {
    // Only the probe decides a half-open breaker; anything else still in flight from
    // before it opened says nothing about the target now.
    if (state_ != BreakerState::kHalfOpen) return;
    probe_out_ = false;
    if (outcome == Outcome::kSuccess) {
      failures_ = 0;
      set_state_locked(BreakerState::kClosed);
    } else if (outcome == Outcome::kFailure) {
      opened_at_ = now();
      set_state_locked(BreakerState::kOpen);
    }
    return;
  }
  if (state_ != BreakerState::kClosed) return;
  if (outcome == Outcome::kSuccess) {
    failures_ = 0;
  } else if (outcome == Outcome::kFailure && ++failures_ >= options_.failure_threshold) {
    opened_at_ = now();
    set_state_locked(BreakerState::kOpen);
  }
}

void CircuitBreaker::set_state_locked(BreakerState next) {
  if (next == state_) return;
  BreakerState prev = state_;
  state_ = next;
  if (gauge_ != nullptr) gauge_->Set(static_cast<double>(next));
  if (next == BreakerState::kOpen) {
    spdlog::warn("circuit breaker {} {} -> open after {} consecutive failure(s); retry in {} ms",
                 options_.target, to_string(prev), failures_ == 0 ? 1 : failures_,
                 options_.recovery_timeout.count());
  } else {
    spdlog::info("circuit breaker {} {} -> {}", options_.target, to_string(prev), to_string(next));
  }
}

}  // namespace fraiseql::resilience
