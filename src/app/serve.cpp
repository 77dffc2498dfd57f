#include "serve.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>

#include <spdlog/spdlog.h>

#include "fraiseql/core/version.hpp"
#include "fraiseql/db/host_checker.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/http/graphql_route.hpp"
#include "fraiseql/http/probes.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::app {
namespace {

// Blocks the shutdown signals in every thread, so that only wait_for_signal() sees them.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // NOLINT: a closed peer must not kill the process
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

// The schema file, built; nullptr after logging every error (file:line:col).
std::shared_ptr<const graphql::Schema> load_schema(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    spdlog::critical("schema.path: cannot read {}", path);
    return nullptr;
  }
  std::ostringstream sdl;
  sdl << in.rdbuf();
  auto built = graphql::build_schema(sdl.str(), path);
  if (!built.ok()) {
    for (const auto& e : built.errors()) spdlog::critical("{}", e.to_string());
    spdlog::critical("schema.path: {} has {} error(s)", path, built.errors().size());
    return nullptr;
  }
  return built.schema();
}

}  // namespace

int serve(const Settings& settings, const std::vector<std::string>& warnings) {
  sigset_t signals = block_signals();
  log::init(settings.log);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  spdlog::info("fraiseql {} starting", version());

  std::shared_ptr<const graphql::Schema> schema;
  if (!settings.schema_path.empty()) {
    schema = load_schema(settings.schema_path);
    if (!schema) {
      log::shutdown();
      return 2;
    }
  } else {
    spdlog::warn("no schema.path (FRAISEQL_SCHEMA_PATH) configured: /graphql is not served");
  }

  metrics::Registry registry;
  auto& build_info = prometheus::BuildGauge()
                         .Name("fraiseql_build_info")
                         .Help("Always 1; the version is a label.")
                         .Register(registry.prom())
                         .Add({{"version", std::string(version())}});
  build_info.Set(1);

  db::HostChecker primary({.name = "primary",
                           .url = settings.database_url,
                           .interval = settings.health_interval,
                           .timeout = settings.health_timeout});
  primary.start();

  std::atomic<bool> shutting_down{false};
  http::Router router;
  router.add(http::health_route());
  router.add(http::ready_route([&] {
    http::Readiness r;
    r.shutting_down = shutting_down.load();
    auto s = primary.status();
    r.checks.push_back({.name = "primary",
                        .up = s.reachable,
                        .detail = s.checks == 0 ? "not checked yet" : s.error,
                        .rtt_ms = static_cast<double>(s.rtt.count()) / 1000.0});
    return r;
  }));
  router.add(http::metrics_route(registry));
  std::unique_ptr<exec::Engine> engine;
  if (schema) {
    engine = std::make_unique<exec::Engine>(schema, exec::EngineOptions{});
    router.add(http::graphql_route(*engine));
  }

  http::Server server(settings.server, std::move(router), registry);
  if (auto started = server.start(); !started) {
    spdlog::critical("{}", started.error().message);
    primary.stop();
    log::shutdown();
    return 1;
  }
  spdlog::info("listening on {}:{} (database {})", settings.server.host, server.port(),
               db::redact(settings.database_url));

  int sig = wait_for_signal(signals);
  spdlog::info("received {}, draining (grace {} ms)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
               settings.shutdown_grace.count());
  shutting_down = true;
  server.stop_accepting();
  bool drained = server.drain(settings.shutdown_grace);
  if (!drained) {
    spdlog::warn("grace period over with {} request(s) in flight; stopping anyway", server.in_flight());
  }
  server.stop();
  primary.stop();
  spdlog::info("stopped");
  log::shutdown();
  return 0;
}

}  // namespace fraiseql::app
