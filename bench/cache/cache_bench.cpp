// Prints the cost of an L1 hit (ns per lookup, 1 and 2 threads) and the latency of an
// L2 hit (p50/p99) against the Redis given as the first argument.
// Usage: cache_bench [redis://127.0.0.1:PORT/0] [--ops N]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <spdlog/spdlog.h>

#include "fraiseql/cache/cache.hpp"
#include "fraiseql/cache/key.hpp"
#include "fraiseql/metrics/registry.hpp"

namespace {

using namespace std::chrono_literals;
using fraiseql::Deadline;
using fraiseql::cache::Cache;
using fraiseql::cache::CacheOptions;
using fraiseql::cache::Level;
using fraiseql::cache::Lookup;
using Clock = std::chrono::steady_clock;

constexpr int kKeys = 1024;
std::vector<std::string> tags() {
  return {"Post", "User"};
}

std::vector<std::string> make_keys() {
  std::vector<std::string> keys;
  keys.reserve(kKeys);
  for (int i = 0; i < kKeys; ++i) {
    keys.push_back(fraiseql::cache::make_key(
        {"doc-hash-0123456789abcdef", "PostsQuery", std::to_string(i), "role:user"}));
  }
  return keys;
}

Lookup blocking_lookup(Cache& cache, const std::string& key) {
  std::promise<Lookup> p;
  auto f = p.get_future();
  cache.lookup(key, tags(), Deadline::after(1s), [&p](Lookup l) { p.set_value(std::move(l)); });
  return f.get();
}

void fill_all(Cache& cache, const std::vector<std::string>& keys, const std::string& body) {
  for (const auto& k : keys) {
    auto l = blocking_lookup(cache, k);
    if (l.fill) l.fill.put(body, 600s);
  }
}

void bench_l1(long ops) {
  CacheOptions o;                        // no Redis: L1 alone
  fraiseql::metrics::Registry registry;  // counted as in the daemon
  Cache cache(o, &registry);
  cache.start();
  auto keys = make_keys();
  fill_all(cache, keys, std::string(1024, 'x'));
  const auto tag_list = tags();
  for (int threads : {1, 2}) {
    std::atomic<long> hits{0};
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        long local = 0;
        for (long i = 0; i < ops; ++i) {
          const auto& k = keys[static_cast<std::size_t>((i * 7 + static_cast<long>(t) * 13) % kKeys)];
          cache.lookup(k, tag_list, Deadline::never(), [&local](Lookup l) { local += l.hit() ? 1 : 0; });
        }
        hits.fetch_add(local);
      });
    }
    for (auto& th : pool) th.join();
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    std::printf("L1 hit, %d thread(s): %.0f ns/op per thread, %.2f M lookups/s in all (%ld of %ld hits)\n",
                threads, ns / static_cast<double>(ops), static_cast<double>(ops * threads) / ns * 1e3,
                hits.load(), ops * threads);
  }
}

void bench_l2(const std::string& url, long ops) {
  CacheOptions o;
  o.redis_url = url;
  o.key_prefix = "fqbench:" + std::to_string(::getpid()) + ":";
  Cache cache(o);
  cache.start();
  auto until = Clock::now() + 10s;
  while (!cache.redis_connected() && Clock::now() < until) std::this_thread::sleep_for(10ms);
  if (!cache.redis_connected()) {
    std::printf("L2: Redis at %s not reachable\n", url.c_str());
    return;
  }
  auto keys = make_keys();
  fill_all(cache, keys, std::string(1024, 'x'));
  std::this_thread::sleep_for(200ms);  // L2 writes are asynchronous
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(ops));
  long redis_hits = 0;
  for (long i = 0; i < ops; ++i) {
    cache.clear_local();
    const auto& k = keys[static_cast<std::size_t>(i % kKeys)];
    auto t0 = Clock::now();
    auto l = blocking_lookup(cache, k);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (l.hit() && l.level == Level::kRedis) ++redis_hits;
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[static_cast<std::size_t>(p * static_cast<double>(us.size() - 1))]; };
  std::printf(
      "L2 hit (1 KiB body, 2 tags, L1 cleared before each): p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max "
      "%.1f us "
      "(%ld of %ld from Redis)\n",
      pct(0.5), pct(0.99), pct(0.999), us.back(), redis_hits, ops);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  std::string url;
  long ops = 2000000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--ops" && i + 1 < argc) {
      ops = std::atol(argv[++i]);
    } else {
      url = a;
    }
  }
  bench_l1(ops);
  if (!url.empty()) bench_l2(url, std::max(1000L, ops / 100));
  return 0;
}
