#!/usr/bin/env bash
# Response-cache bench through the daemon: wrk at 64 connections on GET /graphql for two
# blog queries answered from the cache (every request after the first is an in-process
# hit), beside nginx serving the same body as a static file in the same run. Prints rps,
# p50, p99 and the ratio to nginx. Loopback only; throwaway services in a temporary
# directory. (bench/cache/run.sh is the cache module's own micro-bench.)
#
#   bench/cache/daemon.sh                      Release build in build-bench, then the bench
#   BUILD_DIR=build-x bench/cache/daemon.sh    reuse a build holding src/app/fraiseql
#
# Knobs: CONNECTIONS (64), THREADS (2), DURATION (10s), WARMUP (3s).
#   Q1  { users(limit: 10) { id name email } }
#   Q2  { users(limit: 10) { id name email posts { id title createdAt } } }
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'bench/cache: %s\n' "$*" >&2
  exit 1
}
for tool in wrk nginx curl python3; do
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

WORK=$(mktemp -d /tmp/fraiseql-bench-cache-daemon.XXXXXX)
chmod a+rwx "$WORK"
DAEMON_PID=''
NGINX_PID=''
cleanup() {
  set +e
  [[ -n $DAEMON_PID ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  [[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  bash "$ROOT/scripts/services.sh" stop "$WORK/services" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

say "starting PostgreSQL and Redis, loading the blog example"
bash "$ROOT/scripts/services.sh" start "$WORK/services" >"$WORK/services.log" 2>&1 || {
  cat "$WORK/services.log" >&2
  die "services did not start"
}
DATABASE_URL=$(sed -n 's/^PG_PRIMARY_URL=//p' "$WORK/services/env")
REDIS_URL=$(sed -n 's/^REDIS_URL=//p' "$WORK/services/env")
psql_() { bash "$ROOT/scripts/services.sh" psql "$WORK/services" primary -q -v ON_ERROR_STOP=1 "$@"; }
# The order of examples/blog/README.md; the mutation files only when present.
for f in examples/blog/schema.sql sql/mutation_response.sql examples/blog/functions.sql examples/blog/seed.sql; do
  if [[ -f $ROOT/$f ]]; then psql_ -f "$ROOT/$f" >/dev/null; fi
done

PORT=$(free_port)
say "starting fraiseql on 127.0.0.1:$PORT (cache_all_queries, Redis, access log off)"
env DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" FRAISEQL_SCHEMA_PATH="$ROOT/examples/blog/schema.graphql" \
  PORT="$PORT" FRAISEQL_SERVER_HOST=127.0.0.1 FRAISEQL_LOG_ACCESS=false FRAISEQL_CACHE_CACHE_ALL_QUERIES=true \
  "$FRAISEQL" serve >"$WORK/fraiseql.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break
  kill -0 "$DAEMON_PID" 2>/dev/null || {
    cat "$WORK/fraiseql.log" >&2
    die "fraiseql exited"
  }
  sleep 0.05
done

Q1='{ users(limit: 10) { id name email } }'
Q2='{ users(limit: 10) { id name email posts { id title createdAt } } }'
mkdir -p "$WORK/www" "$WORK/nginx-tmp"
for name in Q1 Q2; do
  target="/graphql?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "${!name}")"
  printf '%s' "$target" >"$WORK/$name.target"
  curl -fsS "http://127.0.0.1:$PORT$target" >"$WORK/www/$name.json"
  if ! grep -q '"data"' "$WORK/www/$name.json" || grep -q '"errors"' "$WORK/www/$name.json"; then
    die "$name failed: $(cat "$WORK/www/$name.json")"
  fi
  cc=$(curl -fsS -o /dev/null -D - "http://127.0.0.1:$PORT$target" | tr -d '\r' | sed -n 's/^Cache-Control: //Ip')
  [[ $cc == max-age=* ]] || die "$name is not cached (Cache-Control: $cc)"
done
chmod -R a+rX "$WORK"

NGINX_PORT=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    types { }
    default_type application/json;
    location /q/ { alias $WORK/www/; }
  }
}
CONF
say "starting nginx on 127.0.0.1:$NGINX_PORT (worker_processes auto, access log off)"
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/q/Q1.json" 2>/dev/null && break
  sleep 0.05
done
for name in Q1 Q2; do
  cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT/q/$name.json") \
    <(curl -fsS "http://127.0.0.1:$PORT$(cat "$WORK/$name.target")") || die "$name: bodies differ"
done

run_wrk() {
  local url=$1 out
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    printf '%s\n' "$out" >&2
    say "warning: errors (see above)"
  fi
  awk '/^Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
       END { printf "%.0f %s %s\n", rps, p50, p99 }' <<<"$out"
}

printf '\n%-4s %10s %9s %9s %10s %9s %9s %9s\n' query fraiseql p50 p99 nginx p50 p99 ratio
for name in Q1 Q2; do
  say "$name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION on fraiseql, then on nginx"
  read -r f_rps f_p50 f_p99 < <(run_wrk "http://127.0.0.1:$PORT$(cat "$WORK/$name.target")")
  read -r n_rps n_p50 n_p99 < <(run_wrk "http://127.0.0.1:$NGINX_PORT/q/$name.json")
  printf '%-4s %10s %9s %9s %10s %9s %9s %9s\n' "$name" "$f_rps" "$f_p50" "$f_p99" "$n_rps" "$n_p50" "$n_p99" \
    "$(awk -v a="$f_rps" -v b="$n_rps" 'BEGIN { printf "%.2fx", a / b }')"
done
printf '\n%s CPUs; body bytes Q1 %s, Q2 %s; connections %s; %s per run\n' "$(nproc)" \
  "$(wc -c <"$WORK/www/Q1.json")" "$(wc -c <"$WORK/www/Q2.json")" "$CONNECTIONS" "$DURATION"
