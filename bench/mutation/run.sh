#!/usr/bin/env bash
# Mutation bench (issue 05): wrk posting `createPost` to the daemon serving the blog
# example, beside pgbench calling fn_create_post directly with the same input over the
# same number of connections (-M prepared), alone and between BEGIN and COMMIT as the
# router runs a write. Prints the rates and the ratios (goal: the daemon at 0.7x or
# better). Loopback only; throwaway services in a temporary directory.
#
#   bench/mutation/run.sh                      Release build in build-bench, then the bench
#   BUILD_DIR=build-x bench/mutation/run.sh    reuse a build holding src/app/fraiseql
#
# Knobs: CONNECTIONS (16), DURATION (10s), WARMUP (3s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
seconds=${DURATION%s}

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'bench/mutation: %s\n' "$*" >&2
  exit 1
}
for tool in wrk pgbench curl python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done

if [[ -n ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$(cd "$BUILD_DIR" && pwd -P)
else
  BUILD_DIR=$ROOT/build-bench
  say "building fraiseql (Release) in $BUILD_DIR"
  # shellcheck source=bench/lib.sh
  source "$ROOT/bench/lib.sh"
  bench_build "$ROOT" "$BUILD_DIR" 2 fraiseql
fi
FRAISEQL=$BUILD_DIR/src/app/fraiseql
[[ -x $FRAISEQL ]] || die "$FRAISEQL not found"

WORK=$(mktemp -d /tmp/fraiseql-bench-mutation.XXXXXX)
chmod a+rwx "$WORK"
DAEMON_PID=''
cleanup() {
  set +e
  [[ -n $DAEMON_PID ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  bash "$ROOT/scripts/services.sh" stop "$WORK/services" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting PostgreSQL (primary only is used) and loading the blog example"
bash "$ROOT/scripts/services.sh" start "$WORK/services" >"$WORK/services.log" 2>&1 || {
  cat "$WORK/services.log" >&2
  die "services did not start"
}
DATABASE_URL=$(sed -n 's/^PG_PRIMARY_URL=//p' "$WORK/services/env")
psql_() { bash "$ROOT/scripts/services.sh" psql "$WORK/services" primary -q -v ON_ERROR_STOP=1 "$@"; }
psql_ -f "$ROOT/examples/blog/schema.sql" >/dev/null
psql_ -f "$ROOT/sql/mutation_response.sql" >/dev/null
psql_ -f "$ROOT/examples/blog/functions.sql" >/dev/null
psql_ -f "$ROOT/examples/blog/seed.sql" >/dev/null
psql_ -c 'VACUUM ANALYZE' >/dev/null

export DATABASE_URL FRAISEQL_SCHEMA_PATH=$ROOT/examples/blog/schema.graphql
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "starting fraiseql on 127.0.0.1:$PORT (access log off)"
env PORT="$PORT" FRAISEQL_SERVER_HOST=127.0.0.1 FRAISEQL_LOG_ACCESS=false "$FRAISEQL" serve >"$WORK/fraiseql.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break
  kill -0 "$DAEMON_PID" 2>/dev/null || {
    cat "$WORK/fraiseql.log" >&2
    die "fraiseql exited"
  }
  sleep 0.05
done

# The mutation: a random seeded author each time, the new post's id and author selected.
# shellcheck disable=SC2016  # GraphQL variables, not shell ones
QUERY='mutation M($input: CreatePostInput!) { createPost(input: $input) { __typename ... on CreatePostSuccess { post { id title author { name } } } ... on CreatePostError { code } } }'
psql_ -At -c "SELECT '\"' || md5('user' || g)::uuid || '\",' FROM generate_series(1, 10000) g" >"$WORK/ids.txt"
prefix=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]})[:-1] + ",\"variables\":{\"input\":{\"title\":\"Bench post\",\"content\":\"a few words of content\",\"authorId\":\"")' "$QUERY")
{
  echo 'local ids = {'
  cat "$WORK/ids.txt"
  echo '}'
  cat <<LUA
local prefix = [==[$prefix]==]
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, prefix .. ids[math.random(#ids)] .. '"}}}')
end
LUA
} >"$WORK/create.lua"

one=$(head -1 "$WORK/ids.txt" | tr -d '",')
answer=$(curl -fsS -H 'Content-Type: application/json' -d "${prefix}${one}\"}}}" "http://127.0.0.1:$PORT/graphql")
grep -q '"CreatePostSuccess"' <<<"$answer" || die "createPost failed: $answer"

cat >"$WORK/direct.pgbench" <<'SQL'
\set n random(1, 10000)
SELECT * FROM fn_create_post(jsonb_build_object('title', 'Bench post', 'content', 'a few words of content', 'author_id', md5('user' || :n)::uuid));
SQL

say "fraiseql: wrk -t2 -c$CONNECTIONS -d$DURATION createPost"
wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -s "$WORK/create.lua" "http://127.0.0.1:$PORT/graphql" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/create.lua" "http://127.0.0.1:$PORT/graphql" >"$WORK/wrk.txt"
if grep -q 'Non-2xx\|Socket errors' "$WORK/wrk.txt"; then
  cat "$WORK/wrk.txt" >&2
  say "warning: the daemon answered with errors"
fi
read -r rps p50 p99 < <(awk '/^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { printf "%.0f %s %s\n", rps, p50, p99 }' "$WORK/wrk.txt")

# The same call between BEGIN and COMMIT, as the router runs a write: the cost of the
# two extra round trips.
{
  echo '\set n random(1, 10000)'
  echo 'BEGIN;'
  tail -1 "$WORK/direct.pgbench"
  echo 'COMMIT;'
} >"$WORK/direct-tx.pgbench"
run_pgbench() {
  PGOPTIONS='-c jit=off' pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$seconds" -f "$1" "$DATABASE_URL" 2>/dev/null |
    awk '/^tps = / { printf "%.0f\n", $3 }'
}
say "pgbench -M prepared -c$CONNECTIONS -T$seconds calling fn_create_post, alone and between BEGIN and COMMIT"
direct=$(run_pgbench "$WORK/direct.pgbench")
direct_tx=$(run_pgbench "$WORK/direct-tx.pgbench")

printf '\n%-22s %10s %10s %10s\n' '' 'rps' 'p50' 'p99'
printf '%-22s %10s %10s %10s\n' 'fraiseql createPost' "$rps" "$p50" "$p99"
printf '%-22s %10s\n' 'pgbench fn_create_post' "$direct"
printf '%-22s %10s\n' '  in BEGIN/COMMIT' "$direct_tx"
printf '%-22s %10s\n' 'ratio' "$(awk -v a="$rps" -v b="$direct" 'BEGIN { printf "%.2fx", a / b }')"
printf '%-22s %10s\n' 'ratio, BEGIN/COMMIT' "$(awk -v a="$rps" -v b="$direct_tx" 'BEGIN { printf "%.2fx", a / b }')"
printf '\n%s CPUs; PostgreSQL %s; synchronous_commit %s; fraiseql %s; connections %s; %s per run; posts written %s\n' \
  "$(nproc)" "$(psql_ -At -c 'SHOW server_version')" "$(psql_ -At -c 'SHOW synchronous_commit')" \
  "$("$FRAISEQL" --version | awk '{ print $2 }')" "$CONNECTIONS" "$DURATION" \
  "$(psql_ -At -c "SELECT count(*) FROM tb_post WHERE title = 'Bench post'")"
