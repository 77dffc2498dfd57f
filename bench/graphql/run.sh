#!/usr/bin/env bash
# Builds the GraphQL bench (Release, in its own build dir), runs it and graphql-js on the
# same documents in the same run, and prints one table with the speed-ups.
# Usage: bench/graphql/run.sh [--batch-ms N] [--repeats N]
# Environment: BUILD_DIR (default <repo>/build-bench-graphql), JOBS (default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-bench-graphql}"
jobs="${JOBS:-2}"
schema="$repo/tests/differential/schema.graphql"
docs=("$here"/documents/*.graphql)

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
bench_build "$repo" "$build" "$jobs" graphql_bench
"$repo/tools/graphqljs/ensure.sh"

out="$build/bench/graphql"
echo "running FraiseQL..." >&2
"$out/graphql_bench" "$schema" "${docs[@]}" "$@" >"$out/fraiseql.jsonl"
echo "running graphql-js $(node -p "require('$repo/tools/graphqljs/node_modules/graphql/package.json').version") on node $(node --version)..." >&2
node "$here/graphqljs_bench.mjs" "$schema" "${docs[@]}" "$@" >"$out/graphqljs.jsonl"
node "$here/table.mjs" "$out/fraiseql.jsonl" "$out/graphqljs.jsonl"
