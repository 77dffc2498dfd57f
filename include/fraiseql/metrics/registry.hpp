#pragma once
/// The process's Prometheus registry and its text exposition (served by our HTTP server).

#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace fraiseql::metrics {

/// Owns the prometheus-cpp registry plus the process collector (CPU, memory, fds).
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  prometheus::Registry& prom() noexcept { return *registry_; }

  /// Every metric in the Prometheus text exposition format, version 0.0.4.
  [[nodiscard]] std::string serialize() const;

  /// Content-Type of serialize()'s output.
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<prometheus::Collectable> process_;
};

/// Default latency buckets in seconds, 0.5 ms to 10 s.
const prometheus::Histogram::BucketBoundaries& latency_buckets();

}  // namespace fraiseql::metrics
