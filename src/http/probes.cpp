#include "fraiseql/http/probes.hpp"

#include <cstdio>

#include "fraiseql/log/log.hpp"

namespace fraiseql::http {

Route health_route() {
  Route r;
  r.path = "/health";
  r.methods = {"GET"};
  r.sync = [](const Request&) { return Response::json(200, R"({"status":"ok"})"); };
  return r;
}

Route ready_route(std::function<Readiness()> readiness) {
  Route r;
  r.path = "/ready";
  r.methods = {"GET"};
  r.sync = [readiness = std::move(readiness)](const Request&) {
    Readiness state = readiness();
    if (state.shutting_down) {
      return Response::json(503, R"({"status":"shutting_down","down":["server"]})");
    }
    bool ready = true;
    std::string down;
    std::string checks;
    for (const auto& c : state.checks) {
      std::string name;
      log::append_json_escaped(name, c.name);
      if (!checks.empty()) checks += ',';
      checks += "\"" + name + "\":{\"status\":\"" + (c.up ? "up" : "down") + "\"";
      if (c.up) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", c.rtt_ms);
        checks += std::string(",\"rtt_ms\":") + buf;
      } else {
        ready = false;
        checks += ",\"error\":\"";
        log::append_json_escaped(checks, c.detail);
        checks += "\"";
        down += (down.empty() ? "\"" : ",\"") + name + "\"";
      }
      checks += "}";
    }
    std::string body = std::string("{\"status\":\"") + (ready ? "ready" : "not_ready") + "\",\"down\":[" +
                       down + "],\"checks\":{" + checks + "}}";
    return Response::json(ready ? 200 : 503, std::move(body));
  };
  return r;
}

Route metrics_route(metrics::Registry& registry) {
  Route r;
  r.path = "/metrics";
  r.methods = {"GET"};
  r.sync = [&registry](const Request&) {
    Response res;
    res.content_type = metrics::Registry::kContentType;
    res.body = registry.serialize();
    return res;
  };
  return r;
}

}  // namespace fraiseql::http
