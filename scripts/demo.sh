#!/usr/bin/env bash
# The run command: installs the dependencies, builds the daemon, starts a throwaway
# PostgreSQL primary + streaming replica and Redis under var/demo, and runs
# `fraiseql serve` against them on PORT (default 8000). Ctrl-C (or SIGTERM) stops the
# daemon, then the services.
#
#   scripts/demo.sh                 serve on :8000
#   PORT=9000 scripts/demo.sh       another port
#   scripts/demo.sh --config FILE   extra arguments go to `fraiseql serve`
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$FRAISEQL_ROOT"

BUILD_DIR=${BUILD_DIR:-build}
DEMO_DIR=$FRAISEQL_ROOT/var/demo
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$FRAISEQL_ROOT/$BUILD_DIR
BIN=$BUILD_DIR/src/app/fraiseql
export PORT=${PORT:-8000}

say "dependencies"
scripts/install-deps.sh

say "build fraiseql ($BUILD_DIR)"
configure_build "$BUILD_DIR"
cmake --build "$BUILD_DIR" --target fraiseql -j "$(nproc)"
[[ -x $BIN ]] || { echo "error: $BIN was not produced by the build" >&2; exit 1; }

if ! python3 -c 'import socket, sys; socket.socket().bind(("0.0.0.0", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
  echo "error: port $PORT is in use; choose another with PORT=..." >&2
  exit 1
fi

say "services (state in var/demo)"
# shellcheck disable=SC2317  # invoked by the trap
stop_services() { scripts/services.sh stop "$DEMO_DIR" || true; }
trap stop_services EXIT
scripts/services.sh start "$DEMO_DIR"

declare -A SVC=()
while IFS='=' read -r key value; do
  [[ -n $key ]] && SVC[$key]=$value
done <"$DEMO_DIR/env"

# ---- Example schema hook -------------------------------------------------------
# Loads the example application when it exists: its SQL (tables, views, functions)
# into the primary, and its GraphQL schema as the daemon's schema.
load_example() {
  local sql=examples/blog/schema.sql seed=examples/blog/seed.sql graphql=examples/blog/schema.graphql
  local functions=examples/blog/functions.sql
  if [[ -f $sql ]]; then
    say "loading $sql into the primary"
    scripts/services.sh psql "$DEMO_DIR" primary -q -f "$FRAISEQL_ROOT/$sql"
    # Mutation functions return the shipped mutation_response type: load it first.
    if [[ -f $functions ]]; then
      say "loading sql/mutation_response.sql and $functions into the primary"
      scripts/services.sh psql "$DEMO_DIR" primary -q -f "$FRAISEQL_ROOT/sql/mutation_response.sql"
      scripts/services.sh psql "$DEMO_DIR" primary -q -f "$FRAISEQL_ROOT/$functions"
    fi
    if [[ -f $seed ]]; then
      say "loading $seed into the primary"
      scripts/services.sh psql "$DEMO_DIR" primary -q -f "$FRAISEQL_ROOT/$seed"
    fi
  fi
  if [[ -f $graphql && -z ${FRAISEQL_SCHEMA_PATH:-} ]]; then
    export FRAISEQL_SCHEMA_PATH=$FRAISEQL_ROOT/$graphql
  fi
}
load_example
# ---- end of example schema hook ------------------------------------------------

export DATABASE_URL=${SVC[PG_PRIMARY_URL]}
export DATABASE_REPLICA_URLS=${SVC[PG_REPLICA_URL]}
export REDIS_URL=${SVC[REDIS_URL]}

say "fraiseql serve on port $PORT"
cat >&2 <<EOF
  GraphQL   http://127.0.0.1:$PORT/graphql
  health    http://127.0.0.1:$PORT/health   metrics http://127.0.0.1:$PORT/metrics
  primary   $DATABASE_URL
  replica   $DATABASE_REPLICA_URLS
  redis     $REDIS_URL
  schema    ${FRAISEQL_SCHEMA_PATH:-(none)}
  psql      scripts/services.sh psql var/demo primary
  Ctrl-C stops the daemon and the services.
EOF

# The daemon runs as a child rather than through exec so that the services can be
# stopped after it exits. Signals are forwarded as SIGTERM (graceful drain); a second
# Ctrl-C kills it.
child=''
interrupts=0
# shellcheck disable=SC2317  # invoked by the trap
forward() {
  interrupts=$((interrupts + 1))
  [[ -n $child ]] || return 0
  if ((interrupts > 1)); then
    kill -KILL "$child" 2>/dev/null || true
  else
    kill -TERM "$child" 2>/dev/null || true
  fi
}
trap forward INT TERM

"$BIN" serve "$@" &
child=$!
# `wait` returns early (status > 128) when a trapped signal arrives: wait again, which
# yields the daemon's own exit status once it has exited.
while :; do
  seen=$interrupts
  rc=0
  wait "$child" || rc=$?
  ((interrupts != seen)) || break
done
say "fraiseql exited with status $rc; stopping services"
exit "$rc"
