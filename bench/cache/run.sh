#!/usr/bin/env bash
# Builds the cache bench (Release, in its own build dir), starts a throwaway Redis on a
# free loopback port in a temporary directory, runs the bench against it, stops it.
# Usage: bench/cache/run.sh [--ops N]
# Environment: BUILD_DIR (default <repo>/build-bench-cache), JOBS (default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-bench-cache}"
jobs="${JOBS:-2}"

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_build "$repo" "$build" "$jobs" cache_bench

dir="$(mktemp -d /tmp/fraiseql-bench-cache.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stop() {
  if [[ -f $dir/redis.pid ]]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$dir"
}
trap stop EXIT
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
  --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log"
until [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; do sleep 0.05; done

"$build/bench/cache/cache_bench" "redis://127.0.0.1:$port/0" "$@"
