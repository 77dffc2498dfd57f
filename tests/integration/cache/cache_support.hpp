#pragma once
// Helpers for the cache integration tests: a blocking lookup (fine on a test thread,
// never on an I/O thread), options on the fixture's Redis with a prefix of their own so
// tests never see each other's keys, polling bounded by a deadline, fault injection.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "fraiseql/cache/cache.hpp"

namespace fraiseql::cache::redistest {

using namespace std::chrono_literals;

/// Options on the fixture's Redis, short timeouts and breaker recovery for tests.
CacheOptions redis_options(const std::string& prefix);

/// A prefix unique to this process and call.
std::string unique_prefix(const std::string& name);

/// Runs one lookup and waits for its answer (30 s at most, then the test fails and an
/// empty miss is returned).
Lookup lookup(Cache& cache, const std::string& key, const std::vector<std::string>& tags,
              Deadline deadline = Deadline::after(5s));

/// "local", "redis" or "miss".
std::string outcome(const Lookup& l);

/// Runs invalidate() and waits for Redis's answer.
Result<void> invalidate(Cache& cache, const std::vector<std::string>& tags);

/// Polls `done` every 20 ms until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s);

/// `services.sh COMMAND DIR`; its exit status.
int services(const std::string& command);

}  // namespace fraiseql::cache::redistest
