#pragma once
/// The operational endpoints: /health (liveness), /ready (readiness), /metrics.

#include <functional>
#include <string>
#include <vector>

#include "fraiseql/http/router.hpp"
#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::http {

struct DependencyCheck {
  std::string name;  // e.g. "primary"
  bool up = false;
  std::string detail;  // error when down
  double rtt_ms = 0;
};

struct Readiness {
  bool shutting_down = false;
  std::vector<DependencyCheck> checks;  // ready when every check is up
};

/// GET /health: 200 {"status":"ok"} while the event loop runs.
Route health_route();

/// GET /ready: 200 when every check is up, else 503 naming what is down.
Route ready_route(std::function<Readiness()> readiness);

/// GET /metrics: the registry in the Prometheus text format.
Route metrics_route(metrics::Registry& registry);

}  // namespace fraiseql::http
