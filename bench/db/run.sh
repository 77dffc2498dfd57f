#!/usr/bin/env bash
# Builds the db bench (Release, in its own build dir), starts a throwaway PostgreSQL
# primary + replica with scripts/services.sh in a directory of its own, runs the bench
# against the primary and then through the replica, and stops the servers.
# Usage: bench/db/run.sh [db_bench options, e.g. --rounds 20 --per-round 5000]
# Environment: BUILD_DIR (default <repo>/build-bench-db), JOBS (default 2),
#              SERVICES_DIR (default: a fresh temporary directory).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-bench-db}"
jobs="${JOBS:-2}"
own_dir=""
if [[ -z ${SERVICES_DIR:-} ]]; then
  own_dir="$(mktemp -d /tmp/fraiseql-bench-db.XXXXXX)"
fi
services_dir="${SERVICES_DIR:-$own_dir}"

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_build "$repo" "$build" "$jobs" db_bench

stop() {
  "$repo/scripts/services.sh" stop "$services_dir" >/dev/null 2>&1 || true
  if [[ -n $own_dir ]]; then rm -rf "$own_dir"; fi
}
trap stop EXIT
"$repo/scripts/services.sh" start "$services_dir" >&2
primary="$(sed -n 's/^PG_PRIMARY_URL=//p' "$services_dir/env")"
replica="$(sed -n 's/^PG_REPLICA_URL=//p' "$services_dir/env")"

echo "== primary: $primary"
"$build/bench/db/db_bench" "$primary" "$@"
echo
echo "== reads through the replica: $replica"
"$build/bench/db/db_bench" "$primary" --replica "$replica" "$@"
