#include "fraiseql/cache/cache.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include "fraiseql/cache/key.hpp"
#include "fraiseql/cache/lru.hpp"
#include "fraiseql/metrics/registry.hpp"

#include "generations.hpp"
#include "redis_client.hpp"

namespace fraiseql::cache {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Stores the entry only if every generation is still the one the lookup read, so an
// invalidation that raced with the computation never lets the stale result into L2.
// KEYS[1] entry, KEYS[2..] generation keys; ARGV[1] ttl ms, ARGV[2] value, ARGV[3..] generations.
constexpr const char* kFillScript = R"(for i = 2, #KEYS do
  if (redis.call('GET', KEYS[i]) or '0') ~= ARGV[i + 1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return 1)";

// INCR and PUBLISH in one step, so a subscriber never sees a generation Redis lacks.
// KEYS generation keys; ARGV[1] channel, ARGV[2..] tag names. Returns the new generations.
constexpr const char* kBumpScript = R"(local out = {}
for i = 1, #KEYS do
  local g = redis.call('INCR', KEYS[i])
  redis.call('PUBLISH', ARGV[1], g .. ' ' .. ARGV[i + 1])
  out[i] = g
end
return out)";

constexpr std::string_view kMagic = "FQC1";

std::int64_t unix_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename T>
void append_raw(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
bool read_raw(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

// An L2 value: magic, absolute expiry (unix ms, so another instance's L1 keeps only the
// remaining lifetime), the tags with the generations it was computed under, the body.
std::string encode(std::int64_t expires, const std::vector<TagVersion>& tags,
                   const std::vector<long long>& gens, const std::string& body) {
  std::string out;
  out.reserve(kMagic.size() + 12 + tags.size() * 24 + body.size());
  out += kMagic;
  append_raw<std::int64_t>(out, expires);
  append_raw<std::uint32_t>(out, static_cast<std::uint32_t>(tags.size()));
  for (std::size_t i = 0; i < tags.size(); ++i) {
    append_raw<std::uint32_t>(out, static_cast<std::uint32_t>(tags[i].tag.size()));
    out += tags[i].tag;
    append_raw<std::int64_t>(out, gens[i]);
  }
  out += body;
  return out;
}

struct Decoded {
  std::int64_t expires = 0;
  std::vector<std::pair<std::string_view, std::int64_t>> gens;
  std::string_view body;
};

std::optional<Decoded> decode(std::string_view in) {
  if (in.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  in.remove_prefix(kMagic.size());
  Decoded d;
  std::uint32_t n = 0;
  if (!read_raw(in, d.expires) || !read_raw(in, n) || n > 4096) return std::nullopt;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t len = 0;
    std::int64_t g = 0;
    if (!read_raw(in, len) || in.size() < len) return std::nullopt;
    std::string_view tag = in.substr(0, len);
    in.remove_prefix(len);
    if (!read_raw(in, g)) return std::nullopt;
    d.gens.emplace_back(tag, g);
  }
  d.body = in;
  return d;
}

std::optional<long long> parse_generation(const Reply& r) {
  if (r.type == Reply::Type::kNil) return 0;
  if (r.type == Reply::Type::kInteger) return r.integer;
  if (r.type != Reply::Type::kString) return std::nullopt;
  long long v = 0;
  auto [ptr, ec] = std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  if (ec != std::errc() || ptr != r.str.data() + r.str.size()) return std::nullopt;
  return v;
}

struct Metrics {
  prometheus::Counter* hits_local = nullptr;
  prometheus::Counter* hits_redis = nullptr;
  prometheus::Counter* misses = nullptr;
  prometheus::Counter* redis_errors = nullptr;
  prometheus::Gauge* bytes = nullptr;
  prometheus::Counter* evictions = nullptr;

  explicit Metrics(metrics::Registry* registry) {
    if (registry == nullptr) return;
    auto& prom = registry->prom();
    auto& hits = prometheus::BuildCounter()
                     .Name("fraiseql_cache_hits_total")
                     .Help("Responses served by the response cache, by tier (local or redis).")
                     .Register(prom);
    hits_local = &hits.Add({{"level", "local"}});
    hits_redis = &hits.Add({{"level", "redis"}});
    misses = &prometheus::BuildCounter()
                  .Name("fraiseql_cache_misses_total")
                  .Help("Cache lookups that left the caller to compute the response.")
                  .Register(prom)
                  .Add({});
    redis_errors = &prometheus::BuildCounter()
                        .Name("fraiseql_cache_redis_errors_total")
                        .Help("Redis calls of the cache that failed, timed out or found no connection.")
                        .Register(prom)
                        .Add({});
    bytes = &prometheus::BuildGauge()
                 .Name("fraiseql_cache_bytes")
                 .Help("Bytes held by the in-process cache tier.")
                 .Register(prom)
                 .Add({});
    evictions = &prometheus::BuildCounter()
                     .Name("fraiseql_cache_evictions_total")
                     .Help("In-process cache entries evicted to make room.")
                     .Register(prom)
                     .Add({});
  }
};

void inc(prometheus::Counter* c) {
  if (c != nullptr) c->Increment();
}

}  // namespace

struct Fill::State {
  Cache::Impl* cache = nullptr;
  std::string key;
  Generations::Snapshot snapshot;
  std::optional<std::vector<long long>> redis_gens;  // the lookup's reading, same order as snapshot
  bool leader = false;
};

struct Cache::Impl {
  struct Waiter {
    std::uint64_t id = 0;
    std::vector<std::string> tags;
    Callback done;
  };
  struct Flight {
    std::uint64_t epoch = 0;
    std::vector<Waiter> waiters;
  };

  Impl(CacheOptions o, metrics::Registry* registry)
      : options(std::move(o)),
        metrics(registry),
        l1(LruOptions{.max_bytes = options.max_bytes,
                      .shards = options.shards,
                      .clock = {},
                      .bytes_gauge = metrics.bytes,
                      .evictions_counter = metrics.evictions}),
        breaker(resilience::CircuitBreakerOptions{.target = "redis",
                                                  .failure_threshold = options.breaker_failures,
                                                  .recovery_timeout = options.breaker_recovery,
                                                  .clock = {}},
                registry) {
    RedisClientOptions client_options;
    if (!options.redis_url.empty()) {
      auto ep = parse_redis_url(options.redis_url);
      if (ep.ok()) {
        client_options.endpoint = std::move(ep.value());
        client_options.channel = channel();
        use_redis = true;
      } else {
        spdlog::error("cache: {}; running on the local tier alone", ep.error().message);
      }
    }
    client_options.connect_timeout = options.connect_timeout;
    client_options.backoff_max = options.reconnect_backoff_max;
    client = std::make_unique<RedisClient>(std::move(client_options));
    client->set_on_message([this](const std::string& payload) { on_message(payload); });
    client->set_on_subscribed([this] {
      // Messages sent while the subscription was down are lost: nothing in L1 can be
      // trusted any more.
      gens.bump_all();
      flush_pending({});
    });
  }

  [[nodiscard]] std::string entry_key(const std::string& key) const {
    return options.key_prefix + "e:" + hash_key(key);
  }
  [[nodiscard]] std::string gen_key(const std::string& tag) const { return options.key_prefix + "g:" + tag; }
  [[nodiscard]] std::string channel() const { return options.key_prefix + "invalidate"; }

  Deadline redis_deadline(Deadline caller) const {
    return Deadline(std::min(caller.at(), Clock::now() + options.redis_timeout));
  }

  void redis_failed(const std::string& what) {
    inc(metrics.redis_errors);
    if (!warned.exchange(true)) {
      spdlog::warn("cache: Redis call failed ({}); lookups use the local tier alone until it answers", what);
    }
  }
  void redis_answered() {
    if (warned.exchange(false)) spdlog::info("cache: Redis answers again");
  }

  std::optional<resilience::CircuitBreaker::Permit> redis_permit() {
    if (!use_redis || !started.load() || stopping.load()) return std::nullopt;
    return breaker.try_acquire();
  }

  static std::vector<std::string> tag_names(const Generations::Snapshot& s) {
    std::vector<std::string> out;
    out.reserve(s.versions.size());
    for (const auto& tv : s.versions) out.push_back(tv.tag);
    return out;
  }

  void lookup_l2(const std::string& key, Generations::Snapshot snap, bool leader, Deadline deadline,
                 Callback done) {
    auto permit = snap.pending ? std::nullopt : redis_permit();
    if (!permit) {
      miss(key, tag_names(snap), std::nullopt, leader, done);
      return;
    }
    std::vector<std::string> args;
    args.reserve(2 + snap.versions.size());
    args.emplace_back("MGET");
    args.push_back(entry_key(key));
    for (const auto& tv : snap.versions) args.push_back(gen_key(tv.tag));

    struct Pending {
      std::string key;
      Generations::Snapshot snap;
      bool leader;
      Callback done;
      resilience::CircuitBreaker::Permit permit;
    };
    auto p =
        std::make_shared<Pending>(Pending{key, std::move(snap), leader, std::move(done), std::move(*permit)});
    client->command(std::move(args), redis_deadline(deadline),
                    [this, p](Result<Reply> r) { on_l2_reply(*p, p->permit, std::move(r)); });
  }

  template <typename P>
  void on_l2_reply(P& p, resilience::CircuitBreaker::Permit& permit, Result<Reply> r) {
    const std::size_t n = p.snap.versions.size();
    if (!r.ok()) {
      permit.failure();
      redis_failed(r.error().message);
      miss(p.key, tag_names(p.snap), std::nullopt, p.leader, p.done);
      return;
    }
    permit.success();
    std::vector<long long> current;
    bool well_formed = r->type == Reply::Type::kArray && r->elements.size() == 1 + n;
    for (std::size_t i = 0; well_formed && i < n; ++i) {
      auto g = parse_generation(r->elements[1 + i]);
      if (!g)
        well_formed = false;
      else
        current.push_back(*g);
    }
    if (!well_formed) {
      redis_failed("unexpected MGET reply");
      miss(p.key, tag_names(p.snap), std::nullopt, p.leader, p.done);
      return;
    }
    redis_answered();
    for (std::size_t i = 0; i < n; ++i) gens.observe(p.snap.versions[i].tag, current[i], false);

    const Reply& value = r->elements[0];
    if (value.type == Reply::Type::kString) {
      auto d = decode(value.str);
      std::int64_t now = unix_ms();
      if (d && d->expires > now && fresh(*d, p.snap, current)) {
        auto body = std::make_shared<const std::string>(d->body);
        // Versions from before the request: an invalidation meanwhile leaves it unservable.
        l1.put(p.key, Entry{body, p.snap.versions, p.snap.epoch}, milliseconds(d->expires - now));
        inc(metrics.hits_redis);
        if (p.leader) resolve(p.key, body, Level::kRedis);
        p.done(Lookup{body, Level::kRedis, {}});
        return;
      }
    }
    miss(p.key, tag_names(p.snap), std::move(current), p.leader, p.done);
  }

  // The stored generations are exactly the current ones of the lookup's tags.
  static bool fresh(const Decoded& d, const Generations::Snapshot& snap,
                    const std::vector<long long>& current) {
    if (d.gens.size() != snap.versions.size()) return false;
    for (const auto& [tag, g] : d.gens) {
      bool found = false;
      for (std::size_t i = 0; i < snap.versions.size(); ++i) {
        if (snap.versions[i].tag == tag) {
          if (current[i] != g) return false;
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  void miss(const std::string& key, const std::vector<std::string>& tags,
            std::optional<std::vector<long long>> redis_gens, bool leader, const Callback& done) {
    // Read after Redis's generations were observed: what the caller computes from now on
    // is at least this fresh.
    auto state = std::make_unique<Fill::State>();
    state->cache = this;
    state->key = key;
    state->snapshot = gens.snapshot(tags);
    if (redis_gens) {
      // Reorder is not needed: snapshot(tags) keeps the order of `tags`.
      state->redis_gens = std::move(redis_gens);
    }
    state->leader = leader;
    inc(metrics.misses);
    done(Lookup{nullptr, Level::kLocal, Fill(std::move(state))});
  }

  void put(Fill::State& st, std::string body, milliseconds ttl) {
    auto ptr = std::make_shared<const std::string>(std::move(body));
    l1.put(st.key, Entry{ptr, st.snapshot.versions, st.snapshot.epoch}, ttl);
    if (st.redis_gens && !st.snapshot.pending && ttl.count() > 0) store_l2(st, *ptr, ttl);
    if (st.leader) resolve(st.key, ptr, Level::kLocal);
  }

  void store_l2(const Fill::State& st, const std::string& body, milliseconds ttl) {
    auto permit = redis_permit();
    if (!permit) return;
    const auto& versions = st.snapshot.versions;
    const auto& g = *st.redis_gens;
    std::vector<std::string> args;
    args.reserve(5 + 2 * versions.size());
    args.emplace_back("EVAL");
    args.emplace_back(kFillScript);
    args.push_back(std::to_string(1 + versions.size()));
    args.push_back(entry_key(st.key));
    for (const auto& tv : versions) args.push_back(gen_key(tv.tag));
    args.push_back(std::to_string(ttl.count()));
    args.push_back(encode(unix_ms() + ttl.count(), versions, g, body));
    for (long long v : g) args.push_back(std::to_string(v));
    auto p = std::make_shared<resilience::CircuitBreaker::Permit>(std::move(*permit));
    client->command(std::move(args), Deadline::after(options.redis_timeout), [this, p](Result<Reply> r) {
      if (!r.ok()) {
        p->failure();
        redis_failed(r.error().message);
        return;
      }
      p->success();
      if (r->type == Reply::Type::kError) redis_failed(r->str);
    });
  }

  void resolve(const std::string& key, const std::shared_ptr<const std::string>& body, Level level) {
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(flights_mu);
      auto it = flights.find(key);
      if (it == flights.end()) return;
      waiters = std::move(it->second.waiters);
      flights.erase(it);
    }
    for (auto& w : waiters) {
      inc(level == Level::kLocal ? metrics.hits_local : metrics.hits_redis);
      w.done(Lookup{body, level, {}});
    }
  }

  void abandon(Fill::State& st) {
    if (!st.leader) return;
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(flights_mu);
      auto it = flights.find(st.key);
      if (it == flights.end()) return;
      waiters = std::move(it->second.waiters);
      flights.erase(it);
    }
    for (auto& w : waiters) miss(st.key, w.tags, std::nullopt, false, w.done);
  }

  void expire_waiter(const std::string& key, std::uint64_t id) {
    std::optional<Waiter> waiter;
    {
      std::lock_guard lock(flights_mu);
      auto it = flights.find(key);
      if (it == flights.end()) return;
      auto& ws = it->second.waiters;
      for (auto w = ws.begin(); w != ws.end(); ++w) {
        if (w->id == id) {
          waiter = std::move(*w);
          ws.erase(w);
          break;
        }
      }
    }
    if (waiter) miss(key, waiter->tags, std::nullopt, false, waiter->done);
  }

  void flush_pending(std::function<void(Result<void>)> done) {
    auto pending = gens.pending();
    if (pending.empty()) {
      if (done) done({});
      return;
    }
    auto permit = redis_permit();
    if (!permit) {
      if (done)
        done(make_error(ErrorCode::kUnavailable, "cache: Redis unavailable; the bump is retried later"));
      return;
    }
    std::vector<std::string> args;
    args.reserve(4 + 2 * pending.size());
    args.emplace_back("EVAL");
    args.emplace_back(kBumpScript);
    args.push_back(std::to_string(pending.size()));
    for (const auto& [tag, bump] : pending) args.push_back(gen_key(tag));
    args.push_back(channel());
    for (const auto& [tag, bump] : pending) args.push_back(tag);
    auto p = std::make_shared<resilience::CircuitBreaker::Permit>(std::move(*permit));
    client->command(std::move(args), Deadline::after(options.redis_timeout),
                    [this, p, pending = std::move(pending), done = std::move(done)](Result<Reply> r) {
                      if (!r.ok() || r->type != Reply::Type::kArray) {
                        if (r.ok()) {
                          p->success();
                        } else {
                          p->failure();
                        }
                        std::string why = r.ok()
                                              ? (r->type == Reply::Type::kError ? r->str : "unexpected reply")
                                              : r.error().message;
                        redis_failed(why);
                        if (done)
                          done(make_error(ErrorCode::kUnavailable, "cache: bump not counted: " + why));
                        return;
                      }
                      p->success();
                      redis_answered();
                      for (const auto& [tag, bump] : pending) gens.acknowledge(tag, bump);
                      if (done) done({});
                    });
  }

  void on_message(const std::string& payload) {
    auto space = payload.find(' ');
    if (space == std::string::npos) return;
    long long g = 0;
    auto [ptr, ec] = std::from_chars(payload.data(), payload.data() + space, g);
    if (ec != std::errc() || ptr != payload.data() + space) return;
    gens.observe(payload.substr(space + 1), g, true);
  }

  // An L1 hit is the hot path: one shared prometheus counter would have every I/O
  // thread fight over its cache line, so hits are counted in per-thread stripes and
  // added to the exported counter once a second.
  struct alignas(64) Stripe {
    std::atomic<std::uint64_t> n{0};
  };
  void count_local_hit() {
    if (metrics.hits_local == nullptr) return;
    static std::atomic<unsigned> next_stripe{0};
    thread_local unsigned my_stripe = next_stripe.fetch_add(1, std::memory_order_relaxed);
    (*hit_stripes)[my_stripe % hit_stripes->size()].n.fetch_add(1, std::memory_order_relaxed);
  }
  void flush_counters() {
    if (metrics.hits_local == nullptr) return;
    std::uint64_t sum = 0;
    for (auto& s : *hit_stripes) sum += s.n.exchange(0, std::memory_order_relaxed);
    if (sum != 0) metrics.hits_local->Increment(static_cast<double>(sum));
  }

  // Retries bumps Redis missed and publishes the hit count, once a second.
  void tick() {
    flush_counters();
    if (stopping.load()) return;
    if (use_redis && client->connected() && !gens.pending().empty()) flush_pending({});
    client->schedule(Clock::now() + std::chrono::seconds(1), [this] { tick(); });
  }

  CacheOptions options;
  Metrics metrics;
  Generations gens;
  Lru l1;
  resilience::CircuitBreaker breaker;
  bool use_redis = false;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> warned{false};
  std::mutex flights_mu;
  std::unordered_map<std::string, Flight> flights;
  std::uint64_t next_waiter = 0;
  std::unique_ptr<std::array<Stripe, 16>> hit_stripes = std::make_unique<std::array<Stripe, 16>>();
  std::unique_ptr<RedisClient> client;  // last: stopped before anything its callbacks touch
};

// ------------------------------------------------------------------------------ Fill

Fill::Fill() noexcept = default;
Fill::Fill(std::unique_ptr<State> state) : state_(std::move(state)) {}
Fill::Fill(Fill&& other) noexcept = default;
Fill& Fill::operator=(Fill&& other) noexcept {
  if (this != &other) {
    abandon();
    state_ = std::move(other.state_);
  }
  return *this;
}
Fill::~Fill() {
  abandon();
}

void Fill::put(std::string body, std::chrono::milliseconds ttl) {
  if (!state_) return;
  auto st = std::move(state_);
  st->cache->put(*st, std::move(body), ttl);
}

void Fill::abandon() {
  if (!state_) return;
  auto st = std::move(state_);
  st->cache->abandon(*st);
}

// ----------------------------------------------------------------------------- Cache

Cache::Cache(CacheOptions options, metrics::Registry* registry)
    : impl_(std::make_unique<Impl>(std::move(options), registry)) {}

Cache::~Cache() {
  stop();
}

void Cache::start() {
  if (impl_->started.exchange(true)) return;
  impl_->client->start();
  impl_->tick();
}

void Cache::stop() {
  if (!impl_->started.load() || impl_->stopping.exchange(true)) return;
  impl_->client->stop();
  impl_->flush_counters();
}

void Cache::lookup(const std::string& key, const std::vector<std::string>& tags, Deadline deadline,
                   Callback done) {
  Impl& m = *impl_;
  if (auto body = m.l1.get(key, [&m](Entry& e) { return m.gens.valid(e); })) {
    m.count_local_hit();
    done(Lookup{std::move(body), Level::kLocal, {}});
    return;
  }
  auto snap = m.gens.snapshot(tags);
  bool leader = false;
  if (m.started.load() && !m.stopping.load()) {
    std::lock_guard lock(m.flights_mu);
    auto it = m.flights.find(key);
    if (it == m.flights.end()) {
      m.flights.emplace(key, Impl::Flight{snap.epoch, {}});
      leader = true;
    } else if (it->second.epoch == snap.epoch) {
      // Same generations as the computation in flight: its result serves this one too.
      std::uint64_t id = ++m.next_waiter;
      it->second.waiters.push_back(Impl::Waiter{id, tags, std::move(done)});
      m.client->schedule(deadline.at(), [&m, key, id] { m.expire_waiter(key, id); });
      return;
    }
    // Otherwise an invalidation came after that computation started: do not wait on it.
  }
  m.lookup_l2(key, std::move(snap), leader, deadline, std::move(done));
}

void Cache::invalidate(const std::vector<std::string>& tags, std::function<void(Result<void>)> done) {
  impl_->gens.bump(tags, impl_->use_redis);
  if (!impl_->use_redis) {
    if (done) done({});
    return;
  }
  impl_->flush_pending(std::move(done));
}

void Cache::clear_local() {
  impl_->l1.clear();
}

bool Cache::redis_connected() const noexcept {
  return impl_->client->connected() && impl_->client->subscribed();
}

resilience::BreakerState Cache::breaker_state() {
  return impl_->breaker.state();
}

std::size_t Cache::local_bytes() const {
  return impl_->l1.bytes();
}

std::size_t Cache::local_entries() const {
  return impl_->l1.size();
}

}  // namespace fraiseql::cache
