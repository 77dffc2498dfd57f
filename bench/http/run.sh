#!/usr/bin/env bash
# HTTP bench: wrk against fraiseql's /health and, in the same run on the same machine,
# against nginx serving a static file with the same body and Content-Type. Prints rps,
# p50, p99 and the rps ratio against nginx. Loopback only.
#
#   bench/http/run.sh                      Release build in build-bench, then the bench
#   BUILD_DIR=build-x bench/http/run.sh    reuse an existing build (must hold src/app/fraiseql)
#
# Knobs: CONNECTIONS (64), THREADS (2), DURATION (10s), WARMUP (3s), ROUNDS (3),
#        ACCESS_LOG (on|off: both servers log every request, or neither; default on).
# The servers take turns for ROUNDS rounds and each one's median round is reported, so
# a burst of load from elsewhere on a shared machine does not decide the comparison.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-3}
ACCESS_LOG=${ACCESS_LOG:-on}

say() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'bench/http: %s\n' "$*" >&2
  exit 1
}

for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ $ACCESS_LOG == on || $ACCESS_LOG == off ]] || die "ACCESS_LOG must be on or off"

# ------------------------------------------------------------------ build
if [[ -n ${BUILD_DIR:-} ]]; then
  BUILD_DIR=$(cd "$BUILD_DIR" && pwd -P)
  [[ -x $BUILD_DIR/src/app/fraiseql ]] || die "$BUILD_DIR/src/app/fraiseql not found; build it first"
else
  BUILD_DIR=$ROOT/build-bench
  say "building fraiseql (Release) in $BUILD_DIR"
  # shellcheck source=bench/lib.sh
  source "$ROOT/bench/lib.sh"
  bench_build "$ROOT" "$BUILD_DIR" 2 fraiseql
fi
FRAISEQL=$BUILD_DIR/src/app/fraiseql

# ------------------------------------------------------------------ cleanup
WORK=$(mktemp -d /tmp/fraiseql-bench-http.XXXXXX)
DAEMON_PID=''
NGINX_PID=''
SERVICES_UP=0
cleanup() {
  set +e
  [[ -n $DAEMON_PID ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  [[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  ((SERVICES_UP)) && bash "$ROOT/scripts/services.sh" stop "$WORK/services" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {
  local url=$1 pid=$2 i
  for i in $(seq 1 200); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# ------------------------------------------------------------------ services + daemon
say "starting PostgreSQL and Redis"
bash "$ROOT/scripts/services.sh" start "$WORK/services" >"$WORK/services.log" 2>&1 ||
  {
    cat "$WORK/services.log" >&2
    die "services did not start"
  }
SERVICES_UP=1
DATABASE_URL=$(sed -n 's/^PG_PRIMARY_URL=//p' "$WORK/services/env")

FRAISEQL_PORT=$(free_port)
say "starting fraiseql on 127.0.0.1:$FRAISEQL_PORT (default I/O threads, access log $ACCESS_LOG)"
env -i PATH="$PATH" DATABASE_URL="$DATABASE_URL" PORT="$FRAISEQL_PORT" FRAISEQL_SERVER_HOST=127.0.0.1 \
  FRAISEQL_LOG_ACCESS=$([[ $ACCESS_LOG == on ]] && echo true || echo false) \
  "$FRAISEQL" serve >"$WORK/fraiseql.log" 2>&1 &
DAEMON_PID=$!
wait_http "http://127.0.0.1:$FRAISEQL_PORT/health" "$DAEMON_PID" || {
  cat "$WORK/fraiseql.log" >&2
  die "fraiseql did not answer /health"
}

# ------------------------------------------------------------------ nginx
# The static file is exactly what /health answers.
mkdir -p "$WORK/www" "$WORK/nginx-tmp"
curl -fsS "http://127.0.0.1:$FRAISEQL_PORT/health" >"$WORK/www/health.json"
# Workers may run as another user when we are root: let them read the tree.
chmod -R a+rX "$WORK"
NGINX_PORT=$(free_port)
if [[ $ACCESS_LOG == on ]]; then nginx_access="access_log $WORK/nginx-access.log;"; else nginx_access="access_log off;"; fi
cat >"$WORK/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  $nginx_access
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /health {
      types { }
      default_type application/json;
      alias $WORK/www/health.json;
    }
  }
}
CONF
say "starting nginx on 127.0.0.1:$NGINX_PORT (worker_processes auto)"
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/health" "$NGINX_PID" || {
  cat "$WORK/nginx.out" "$WORK/nginx-error.log" >&2 2>/dev/null
  die "nginx did not answer /health"
}

body_f=$(curl -fsS "http://127.0.0.1:$FRAISEQL_PORT/health")
body_n=$(curl -fsS "http://127.0.0.1:$NGINX_PORT/health")
type_n=$(curl -fsS -o /dev/null -w '%{content_type}' "http://127.0.0.1:$NGINX_PORT/health")
[[ $body_f == "$body_n" ]] || die "bodies differ: fraiseql '$body_f', nginx '$body_n'"
[[ $type_n == application/json ]] || die "nginx answers Content-Type '$type_n'"

# ------------------------------------------------------------------ wrk
# run_wrk NAME URL ROUND: prints "rps p50 p99" (latencies as wrk prints them).
run_wrk() {
  local name=$1 url=$2 round=$3 out
  say "$name, round $round: warm-up $WARMUP, then wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  printf '%s\n' "$out" >"$WORK/wrk-$name-$round.txt"
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    printf '%s\n' "$out" >&2
    say "warning: $name had errors (see above)"
  fi
  awk '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    END { print rps, p50, p99 }' <<<"$out"
}

: >"$WORK/rounds"
for round in $(seq 1 "$ROUNDS"); do
  # Alternate who goes first, so neither always runs on a warmer or quieter machine.
  if ((round % 2)); then order=(nginx fraiseql); else order=(fraiseql nginx); fi
  for name in "${order[@]}"; do
    if [[ $name == nginx ]]; then port=$NGINX_PORT; else port=$FRAISEQL_PORT; fi
    echo "$name $round $(run_wrk "$name" "http://127.0.0.1:$port/health" "$round")" >>"$WORK/rounds"
  done
done

# median NAME: "rps p50 p99" of NAME's median round by rps.
median() {
  awk -v n="$1" '$1 == n' "$WORK/rounds" | sort -k3,3g | awk '{ r[NR] = $3 " " $4 " " $5 } END { print r[int((NR + 1) / 2)] }'
}
read -r n_rps n_p50 n_p99 < <(median nginx)
read -r f_rps f_p50 f_p99 < <(median fraiseql)

printf '\nGET /health, wrk -t%s -c%s -d%s, %s CPUs, access log %s, %s alternating rounds\n\n' "$THREADS" \
  "$CONNECTIONS" "$DURATION" "$(nproc)" "$ACCESS_LOG" "$ROUNDS"
printf '%-10s %5s %12s %10s %10s %10s\n' server round rps p50 p99 'vs nginx'
sort -k1,1 -k2,2n "$WORK/rounds" | while read -r name round rps p50 p99; do
  printf '%-10s %5s %12s %10s %10s\n' "$name" "$round" "$rps" "$p50" "$p99"
done
printf '%-10s %5s %12s %10s %10s %10s\n' nginx median "$n_rps" "$n_p50" "$n_p99" 1.00x
printf '%-10s %5s %12s %10s %10s %10s\n' fraiseql median "$f_rps" "$f_p50" "$f_p99" \
  "$(awk -v a="$f_rps" -v b="$n_rps" 'BEGIN { printf "%.2fx", a / b }')"
