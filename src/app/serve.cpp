#include "serve.hpp"

#include <atomic>
#include <csignal>
#include <memory>

#include <spdlog/spdlog.h>

#include "fraiseql/core/version.hpp"
#include "fraiseql/db/host_checker.hpp"
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

}  // namespace

int serve(const Settings& settings, const std::vector<std::string>& warnings) {
  sigset_t signals = block_signals();
  log::init(settings.log);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  spdlog::info("fraiseql {} starting", version());

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
