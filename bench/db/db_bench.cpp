// Database layer benchmark: leases per second from a Pool, and the latency a routed
// `SELECT 1` adds over the same statement on a bare libpqxx connection, measured in the
// same run in alternating rounds so both see the same server and machine state.
// Prints figures; asserts nothing.
//
//   db_bench PRIMARY_URL [--replica URL] [--rounds N] [--per-round N] [--lease-seconds S]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "fraiseql/db/pool.hpp"
#include "fraiseql/db/router.hpp"

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using fraiseql::Deadline;
namespace db = fraiseql::db;

struct Args {
  std::string primary;
  std::string replica;
  int rounds = 10;
  int per_round = 2000;
  double lease_seconds = 2.0;
};

struct Usage : std::runtime_error {
  Usage()
      : std::runtime_error(
            "usage: db_bench PRIMARY_URL [--replica URL] [--rounds N] [--per-round N] [--lease-seconds S]") {}
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw Usage();
      return argv[++i];
    };
    if (k == "--replica") {
      a.replica = next();
    } else if (k == "--rounds") {
      a.rounds = std::stoi(next());
    } else if (k == "--per-round") {
      a.per_round = std::stoi(next());
    } else if (k == "--lease-seconds") {
      a.lease_seconds = std::stod(next());
    } else if (!k.empty() && k[0] != '-' && a.primary.empty()) {
      a.primary = k;
    } else {
      throw Usage();
    }
  }
  if (a.primary.empty()) throw Usage();
  return a;
}

struct Stats {
  double mean_us = 0, p50_us = 0, p99_us = 0;
};

Stats summarise(std::vector<double> us) {
  Stats s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  s.mean_us = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  s.p50_us = us[us.size() / 2];
  s.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return s;
}

double micros_since(steady::time_point t0) {
  return std::chrono::duration<double, std::micro>(steady::now() - t0).count();
}

// The statement as the router runs a read: extended protocol, no transaction block.
void bare_select(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  std::vector<const char*> none;
  auto r = tx.exec_params("SELECT 1", pqxx::prepare::make_dynamic_params(none));
  if (r.size() != 1) throw std::runtime_error("SELECT 1 returned no row");
}

void routed_select(db::Router& router) {
  std::promise<fraiseql::Result<db::Rows>> done;
  auto f = done.get_future();
  router.read("SELECT 1", {}, Deadline::after(10s),
              [&done](fraiseql::Result<db::Rows> r) { done.set_value(std::move(r)); });
  auto r = f.get();
  if (!r.ok()) throw std::runtime_error("routed SELECT 1 failed: " + r.error().message);
}

void leases(const std::string& url, int threads, double seconds) {
  db::PoolOptions o;
  o.target = "bench";
  o.url = url;
  o.limits = {.size = static_cast<std::size_t>(threads), .max_overflow = 0};
  db::Pool pool(o);
  {
    // Open every connection before timing: leases, not connects, are measured.
    std::vector<db::Lease> warm;
    warm.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) warm.push_back(std::move(pool.acquire(Deadline::after(10s)).value()));
  }
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(threads), 0);
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  auto t0 = steady::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        auto lease = pool.acquire(Deadline::after(10s));
        if (!lease.ok()) {
          std::fprintf(stderr, "db_bench: lease failed: %s\n", lease.error().message.c_str());
          failed = true;
          stop = true;
          break;
        }
        ++n;
      }
      counts[static_cast<std::size_t>(t)] = n;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  if (failed) throw std::runtime_error("a lease failed");
  double elapsed = std::chrono::duration<double>(steady::now() - t0).count();
  auto total = std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
  std::printf("leases/s        %2d thread%s, pool of %d: %12.0f  (%llu in %.2f s)\n", threads,
              threads == 1 ? " " : "s", threads, static_cast<double>(total) / elapsed,
              static_cast<unsigned long long>(total), elapsed);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  try {
    Args args = parse(argc, argv);
    std::printf("db_bench: %d rounds of %d statements per path, alternating\n", args.rounds, args.per_round);
    leases(args.primary, 1, args.lease_seconds);
    leases(args.primary, 4, args.lease_seconds);

    db::RouterOptions ro;
    ro.primary_url = args.primary;
    if (!args.replica.empty()) ro.replica_urls = {args.replica};
    ro.primary_limits = {.size = 2, .max_overflow = 0};
    ro.replica_limits = {.size = 2, .max_overflow = 0};
    ro.slow_query_threshold = 0ms;
    db::Router router(ro);
    router.start();
    // With a replica, wait until the router would use it.
    if (!args.replica.empty()) {
      auto until = steady::now() + 30s;
      while (!router.hosts().at(1).reads_eligible && steady::now() < until) std::this_thread::sleep_for(50ms);
      if (!router.hosts().at(1).reads_eligible) throw std::runtime_error("replica never became eligible");
    }
    const std::string& bare_url = args.replica.empty() ? args.primary : args.replica;
    pqxx::connection bare(bare_url);

    for (int i = 0; i < 500; ++i) {  // warm-up: connections, caches, branch predictors
      bare_select(bare);
      routed_select(router);
    }
    std::vector<double> bare_us;
    std::vector<double> routed_us;
    bare_us.reserve(static_cast<std::size_t>(args.rounds) * static_cast<std::size_t>(args.per_round));
    routed_us.reserve(bare_us.capacity());
    // Per-round medians: a burst of load from elsewhere on the machine skews one round,
    // not the median of the rounds' differences.
    std::vector<double> round_added;
    round_added.reserve(static_cast<std::size_t>(args.rounds));
    for (int round = 0; round < args.rounds; ++round) {
      std::vector<double> b_round;
      std::vector<double> r_round;
      b_round.reserve(static_cast<std::size_t>(args.per_round));
      r_round.reserve(static_cast<std::size_t>(args.per_round));
      for (int i = 0; i < args.per_round; ++i) {
        auto t0 = steady::now();
        bare_select(bare);
        b_round.push_back(micros_since(t0));
      }
      for (int i = 0; i < args.per_round; ++i) {
        auto t0 = steady::now();
        routed_select(router);
        r_round.push_back(micros_since(t0));
      }
      round_added.push_back(summarise(r_round).p50_us - summarise(b_round).p50_us);
      bare_us.insert(bare_us.end(), b_round.begin(), b_round.end());
      routed_us.insert(routed_us.end(), r_round.begin(), r_round.end());
    }
    auto b = summarise(bare_us);
    auto r = summarise(routed_us);
    std::printf("SELECT 1 on %s, one caller, microseconds:\n",
                args.replica.empty() ? "the primary" : "a replica");
    std::printf("  %-28s mean %8.1f  p50 %8.1f  p99 %8.1f\n", "bare libpqxx connection", b.mean_us, b.p50_us,
                b.p99_us);
    std::printf("  %-28s mean %8.1f  p50 %8.1f  p99 %8.1f\n", "routed (Router::read)", r.mean_us, r.p50_us,
                r.p99_us);
    std::printf("  %-28s mean %8.1f  p50 %8.1f  p99 %8.1f\n", "added by routing", r.mean_us - b.mean_us,
                r.p50_us - b.p50_us, r.p99_us - b.p99_us);
    auto per_round = summarise(round_added);
    std::printf("  added at p50, median of %d rounds: %.1f us\n", args.rounds, per_round.p50_us);
    router.stop();
  } catch (const Usage& ex) {
    std::fprintf(stderr, "%s\n", ex.what());
    return 2;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "db_bench: %s\n", ex.what());
    return 1;
  }
  return 0;
}
