#!/usr/bin/env bash
# Throwaway PostgreSQL 15 primary + streaming replica and Redis on free loopback ports,
# every byte of state under one directory. Used by the CTest fixture `services`
# (tests/services), by scripts/demo.sh, and by tests that inject faults.
#
#   services.sh start DIR                      start everything (wipes a previous DIR)
#   services.sh stop DIR                       stop everything (safe to repeat)
#   services.sh status DIR                     what is running
#   services.sh pg-stop  DIR primary|replica   clean shutdown (-m fast)
#   services.sh pg-start DIR primary|replica   start again, same port and data
#   services.sh pg-kill  DIR primary|replica   kill -9 the postmaster
#   services.sh redis-stop DIR | redis-start DIR
#   services.sh wait-streaming DIR [SECONDS]   wait until the replica streams again
#   services.sh psql DIR primary|replica [psql args...]
#
# DIR/env holds the URLs and ports (KEY=VALUE lines); see docs/testing.md.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=fraiseql
PG_DB=fraiseql
SLOT=fraiseql_replica
# Chosen below the kernel's ephemeral range (32768+) so outgoing connections do not
# take our ports; far from 5432/6379/80 where distribution services may be running.
PORT_MIN=20000
PORT_MAX=32000

SCRIPT_PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")

# ---------------------------------------------------------------- helpers

T0=${EPOCHREALTIME/,/.}
log() { printf 'services: %s\n' "$*" >&2; }
elapsed() { awk -v a="$T0" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'; }

usage() {
  sed -n '2,16p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a PostgreSQL server-side tool: as the `postgres` user when we are root
# (PostgreSQL refuses to run as root), from / so an unreadable cwd does not matter.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# Writes stdin to a file the PostgreSQL processes must read.
pg_write() {
  cat >"$1"
  if is_root; then chown postgres:postgres "$1"; fi
}

tail_log() {
  local f=$1
  if [[ -s $f ]]; then
    printf -- '---- last lines of %s ----\n' "$f" >&2
    tail -n 25 "$f" >&2 || true
    printf -- '----\n' >&2
  fi
}

# Logs worth showing when a command fails; commands narrow it to what they touch.
FAIL_LOGS=(primary.log replica.log basebackup.log redis)

fail() {
  log "error: $*"
  local f
  for f in "${FAIL_LOGS[@]}"; do
    case $f in
      redis) tail_log "${DIR:-/nonexistent}/redis/redis.log" ;;
      *) tail_log "${PGROOT:-/nonexistent}/$f" ;;
    esac
  done
  exit 1
}

port_is_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# A random free port in [PORT_MIN, PORT_MAX) not in the arguments.
pick_port() {
  local port tries=0 taken
  while ((tries < 200)); do
    tries=$((tries + 1))
    port=$((PORT_MIN + (RANDOM * 32768 + RANDOM) % (PORT_MAX - PORT_MIN)))
    for taken in "$@"; do
      [[ $port == "$taken" ]] && continue 2
    done
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  fail "no free loopback port found in $PORT_MIN-$PORT_MAX"
}

resolve_dir() {
  [[ -n ${1:-} ]] || usage
  DIR=$1
}

# Loads DIR/state (written by start) into shell variables.
load_state() {
  PG_PRIMARY_PORT='' PG_REPLICA_PORT='' REDIS_PORT='' PGROOT=''
  PG_PRIMARY_DATA='' PG_REPLICA_DATA=''
  [[ -f $DIR/state ]] || return 1
  local key value
  while IFS='=' read -r key value; do
    case $key in
      PG_PRIMARY_PORT | PG_REPLICA_PORT | REDIS_PORT | PGROOT | PG_PRIMARY_DATA | PG_REPLICA_DATA | PG_BIN)
        printf -v "$key" '%s' "$value"
        ;;
    esac
  done <"$DIR/state"
  return 0
}

require_state() {
  [[ -d $DIR ]] || fail "$DIR does not exist: run '$SCRIPT_PATH start $DIR' first"
  DIR=$(cd "$DIR" && pwd -P)
  load_state || fail "$DIR/state not found: run '$SCRIPT_PATH start $DIR' first"
}

write_state() {
  {
    echo "PG_BIN=$PG_BIN"
    echo "PGROOT=$PGROOT"
    echo "PG_PRIMARY_DATA=$PG_PRIMARY_DATA"
    echo "PG_REPLICA_DATA=$PG_REPLICA_DATA"
    echo "PG_PRIMARY_PORT=$PG_PRIMARY_PORT"
    echo "PG_REPLICA_PORT=$PG_REPLICA_PORT"
    echo "REDIS_PORT=$REDIS_PORT"
  } >"$DIR/state.tmp"
  mv -f "$DIR/state.tmp" "$DIR/state"
}

pg_url() { echo "postgresql://$PG_USER@127.0.0.1:$1/$PG_DB"; }

write_env() {
  {
    echo "PG_PRIMARY_URL=$(pg_url "$PG_PRIMARY_PORT")"
    echo "PG_REPLICA_URL=$(pg_url "$PG_REPLICA_PORT")"
    echo "PG_PRIMARY_PORT=$PG_PRIMARY_PORT"
    echo "PG_REPLICA_PORT=$PG_REPLICA_PORT"
    echo "PG_PRIMARY_DATA=$PG_PRIMARY_DATA"
    echo "PG_REPLICA_DATA=$PG_REPLICA_DATA"
    echo "PG_SOCKET_DIR=$PGROOT/sock"
    echo "PG_BIN=$PG_BIN"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "REDIS_PORT=$REDIS_PORT"
    echo "SERVICES_DIR=$DIR"
    echo "SERVICES_SCRIPT=$SCRIPT_PATH"
  } >"$DIR/env.tmp"
  mv -f "$DIR/env.tmp" "$DIR/env"
}

role_vars() {
  case ${1:-} in
    primary) ROLE_DATA=$PG_PRIMARY_DATA ROLE_PORT=$PG_PRIMARY_PORT ROLE_LOG=$PGROOT/primary.log ;;
    replica) ROLE_DATA=$PG_REPLICA_DATA ROLE_PORT=$PG_REPLICA_PORT ROLE_LOG=$PGROOT/replica.log ;;
    *) log "error: expected 'primary' or 'replica', got '${1:-}'"; usage ;;
  esac
  FAIL_LOGS=("$1.log")
  [[ -n $ROLE_DATA ]] || fail "no $1 recorded in $DIR/state"
}

psql_at() {
  local port=$1
  shift
  PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U "$PG_USER" -d "${PSQL_DB:-$PG_DB}" "$@"
}

# PID of a live process whose command line contains $2, read from pid file $1.
live_pid() {
  local file=$1 pattern=$2 pid
  [[ -r $file ]] || return 1
  read -r pid <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern" || return 1
  echo "$pid"
}

postmaster_pid() { live_pid "$1/postmaster.pid" postgres; }
redis_pid() { live_pid "$DIR/redis/redis.pid" redis-server; }

# True when the process is gone or a zombie waiting to be reaped by init.
pid_gone() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [[ ${stat%% *} == Z ]]
}

wait_gone() {
  local pid=$1 deadline=$((SECONDS + ${2:-15}))
  until pid_gone "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# ---------------------------------------------------------------- PostgreSQL

# After a kill -9 the lock files (postmaster.pid and the socket's .lock) survive, and
# their PID may still be a zombie that init has not reaped yet: PostgreSQL would take
# it for a running postmaster and refuse to start. Only called when no live postmaster
# owns the data directory.
remove_stale_locks() {
  local data=$1 stale lock owner
  [[ -f $data/postmaster.pid ]] || return 0
  read -r stale <"$data/postmaster.pid" || stale=''
  if [[ $stale =~ ^[0-9]+$ ]]; then
    for lock in "$PGROOT"/sock/.s.PGSQL.*.lock; do
      [[ -f $lock ]] || continue
      read -r owner <"$lock" || continue
      [[ $owner == "$stale" ]] && rm -f "$lock"
    done
  fi
  rm -f "$data/postmaster.pid"
}

pg_start_instance() {
  local data=$1 logfile=$2 name=$3
  if postmaster_pid "$data" >/dev/null; then
    log "$name already running"
    return 0
  fi
  remove_stale_locks "$data"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$logfile" -w -t 60 -s start; then
    return 1
  fi
}

pg_stop_instance() {
  local data=$1 mode=$2 name=$3 pid
  pid=$(postmaster_pid "$data") || return 0
  # pg_ctl -w returns once postmaster.pid is gone, i.e. after the postmaster exited.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -m "$mode" -w -t 30 -s stop; then
    log "pg_ctl stop of $name failed; killing postmaster $pid"
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid" 30 || log "warning: $name postmaster $pid still alive"
  fi
}

# Writes the per-instance settings (port, name) that differ between primary and replica.
pg_write_local_conf() {
  local data=$1 port=$2 name=$3
  pg_write "$data/fraiseql_local.conf" <<EOF
# Per-instance settings written by scripts/services.sh.
port = $port
cluster_name = '$name'
EOF
}

# Starts an instance on a fresh free port; if the port got taken between the bind
# test and the postmaster's bind, picks another one and retries.
pg_start_new() {
  local data=$1 logfile=$2 name=$3 var=$4 attempt port
  for attempt in 1 2 3; do
    port=$(pick_port "$PG_PRIMARY_PORT" "$PG_REPLICA_PORT" "$REDIS_PORT") || exit 1
    printf -v "$var" '%s' "$port"
    write_state
    pg_write_local_conf "$data" "$port" "fraiseql_$name"
    if pg_start_instance "$data" "$logfile" "$name"; then
      return 0
    fi
    if grep -q 'could not bind\|Address already in use' "$logfile" 2>/dev/null && ((attempt < 3)); then
      log "port $port was taken meanwhile; retrying with another"
      continue
    fi
    fail "PostgreSQL $name did not start (log: $logfile)"
  done
}

replica_streaming() {
  [[ $(psql_at "$PG_PRIMARY_PORT" -tA -c \
    "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'fraiseql_replica' AND state = 'streaming'" \
    2>/dev/null) == 1 ]]
}

wait_streaming() {
  local timeout=${1:-30} deadline
  deadline=$((SECONDS + timeout))
  until replica_streaming; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# ---------------------------------------------------------------- Redis

redis_start_instance() {
  if redis_pid >/dev/null; then
    log "redis already running"
    return 0
  fi
  rm -f "$DIR/redis/redis.pid"
  redis-server "$DIR/redis/redis.conf" >>"$DIR/redis/redis.log" 2>&1 || return 1
  local deadline=$((SECONDS + 15))
  until [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

redis_stop_instance() {
  local pid
  pid=$(redis_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 10; then
    kill -9 "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || log "warning: redis $pid still alive"
  fi
  rm -f "$DIR/redis/redis.pid"
}

redis_write_conf() {
  mkdir -p "$DIR/redis"
  cat >"$DIR/redis/redis.conf" <<EOF
# Written by scripts/services.sh: throwaway, loopback only, no persistence.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $DIR/redis/redis.pid
logfile $DIR/redis/redis.log
dir $DIR/redis
save ""
appendonly no
databases 16
EOF
}

# ---------------------------------------------------------------- commands

# Stops whatever a previous start in DIR left running, including a half-finished one.
stop_all() {
  local data
  load_state || true
  [[ -n $PGROOT ]] || PGROOT=$DIR/pg
  for data in "${PG_REPLICA_DATA:-$PGROOT/replica}" "${PG_PRIMARY_DATA:-$PGROOT/primary}"; do
    [[ -d $data ]] && pg_stop_instance "$data" immediate "$(basename "$data")"
  done
  redis_stop_instance
  return 0
}

cmd_stop() {
  resolve_dir "${1:-}"
  if [[ ! -d $DIR ]]; then
    log "nothing to stop in $DIR"
    return 0
  fi
  DIR=$(cd "$DIR" && pwd -P)
  stop_all
  log "stopped services in $DIR"
}

# PostgreSQL state lives in DIR/pg unless the postgres user cannot reach it (e.g. a
# checkout under /root, mode 700) or the socket path would be too long for
# sun_path; then in a private directory under /tmp, linked from DIR/pg.
choose_pgroot() {
  local candidate=$DIR/pg reachable=1
  if is_root && ! runuser -u postgres -- test -x "$DIR" 2>/dev/null; then
    reachable=0
  fi
  if ((reachable)) && ((${#candidate} + 24 <= 100)); then
    PGROOT=$candidate
    mkdir -p "$PGROOT"
  else
    PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/fraiseql-pg.XXXXXX")
    chmod 755 "$PGROOT"
    ln -sfn "$PGROOT" "$DIR/pg"
    log "PostgreSQL state in $PGROOT (DIR not usable by the postgres user or path too long)"
  fi
  : >"$PGROOT/.fraiseql-services"
  if is_root; then
    id postgres >/dev/null 2>&1 || fail "user 'postgres' missing (install postgresql-15)"
    chown postgres:postgres "$PGROOT" "$PGROOT/.fraiseql-services"
  fi
}

# Removes the state of a previous start (only paths this script creates).
wipe_previous() {
  local old_root
  old_root=$PGROOT
  if [[ -n $old_root && $old_root != "$DIR/pg" && -f $old_root/.fraiseql-services ]]; then
    rm -rf -- "$old_root"
  fi
  rm -rf -- "$DIR/pg" "$DIR/redis" "$DIR/env" "$DIR/state"
}

cmd_start() {
  resolve_dir "${1:-}"
  [[ -x $PG_BIN/initdb ]] || fail "PostgreSQL 15 not found in $PG_BIN (run scripts/install-deps.sh)"
  command -v redis-server >/dev/null || fail "redis-server not found (run scripts/install-deps.sh)"
  command -v python3 >/dev/null || fail "python3 not found (run scripts/install-deps.sh)"
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd -P)

  stop_all
  wipe_previous
  PG_PRIMARY_PORT='' PG_REPLICA_PORT='' REDIS_PORT=''
  choose_pgroot
  PG_PRIMARY_DATA=$PGROOT/primary
  PG_REPLICA_DATA=$PGROOT/replica
  write_state
  # A failure from here on stops what was already started.
  trap 'rc=$?; if ((rc != 0)); then log "start failed; stopping what was started"; stop_all; fi' EXIT

  local locale=C.UTF-8
  locale -a 2>/dev/null | grep -qix 'c.utf-\?8' || locale=C
  as_pg mkdir -p "$PGROOT/sock"
  as_pg "$PG_BIN/initdb" -D "$PG_PRIMARY_DATA" -U "$PG_USER" -A trust -E UTF8 --locale="$locale" \
    --no-sync --no-instructions >"$PGROOT/initdb.log" 2>&1 ||
    { tail_log "$PGROOT/initdb.log"; fail "initdb failed"; }
  log "initdb done ($(elapsed)s)"

  # Settings shared by primary and replica (the replica's copy comes via pg_basebackup).
  as_pg sh -c "cat >>'$PG_PRIMARY_DATA/postgresql.conf'" <<EOF

# ---- scripts/services.sh: throwaway test instance ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGROOT/sock'
max_connections = 200
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = '500ms'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%a@%d '
include_if_exists = 'fraiseql_local.conf'
EOF
  pg_write "$PG_PRIMARY_DATA/pg_hba.conf" <<'EOF'
# Written by scripts/services.sh: trust, loopback only.
local all         all                trust
host  all         all 127.0.0.1/32   trust
host  all         all ::1/128        trust
local replication all                trust
host  replication all 127.0.0.1/32   trust
host  replication all ::1/128        trust
EOF

  pg_start_new "$PG_PRIMARY_DATA" "$PGROOT/primary.log" primary PG_PRIMARY_PORT
  log "primary up on 127.0.0.1:$PG_PRIMARY_PORT ($(elapsed)s)"

  PSQL_DB=postgres psql_at "$PG_PRIMARY_PORT" -c "CREATE DATABASE $PG_DB OWNER $PG_USER" ||
    fail "CREATE DATABASE failed"
  psql_at "$PG_PRIMARY_PORT" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" ||
    fail "CREATE EXTENSION pg_stat_statements failed"

  # -c fast: an immediate checkpoint; the default spread one takes minutes.
  as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U "$PG_USER" \
    -D "$PG_REPLICA_DATA" -c fast -R -X stream -C -S "$SLOT" --no-sync \
    >"$PGROOT/basebackup.log" 2>&1 || fail "pg_basebackup failed"
  log "base backup done ($(elapsed)s)"

  pg_start_new "$PG_REPLICA_DATA" "$PGROOT/replica.log" replica PG_REPLICA_PORT
  wait_streaming 30 || fail "replica on port $PG_REPLICA_PORT is not streaming after 30 s"
  log "replica streaming on 127.0.0.1:$PG_REPLICA_PORT ($(elapsed)s)"

  local attempt
  for attempt in 1 2 3; do
    REDIS_PORT=$(pick_port "$PG_PRIMARY_PORT" "$PG_REPLICA_PORT") || exit 1
    write_state
    redis_write_conf
    redis_start_instance && break
    redis_stop_instance
    if ((attempt == 3)) || ! grep -q 'Address already in use' "$DIR/redis/redis.log" 2>/dev/null; then
      fail "redis-server did not start on port $REDIS_PORT"
    fi
    log "port $REDIS_PORT was taken meanwhile; retrying with another"
  done
  log "redis up on 127.0.0.1:$REDIS_PORT ($(elapsed)s)"

  write_env
  trap - EXIT
  log "all services up in $(elapsed)s; env: $DIR/env"
}

cmd_status() {
  resolve_dir "${1:-}"
  require_state
  local pid
  if pid=$(postmaster_pid "$PG_PRIMARY_DATA"); then
    echo "primary  running  127.0.0.1:$PG_PRIMARY_PORT pid $pid"
  else echo "primary  stopped"; fi
  if pid=$(postmaster_pid "$PG_REPLICA_DATA"); then
    echo "replica  running  127.0.0.1:$PG_REPLICA_PORT pid $pid"
  else echo "replica  stopped"; fi
  if pid=$(redis_pid); then
    echo "redis    running  127.0.0.1:$REDIS_PORT pid $pid"
  else echo "redis    stopped"; fi
}

cmd_pg_stop() {
  resolve_dir "${1:-}"
  require_state
  role_vars "${2:-}"
  pg_stop_instance "$ROLE_DATA" fast "$2"
  log "$2 stopped"
}

cmd_pg_start() {
  resolve_dir "${1:-}"
  require_state
  role_vars "${2:-}"
  pg_start_instance "$ROLE_DATA" "$ROLE_LOG" "$2" || fail "PostgreSQL $2 did not start"
  log "$2 up on 127.0.0.1:$ROLE_PORT"
}

cmd_pg_kill() {
  resolve_dir "${1:-}"
  require_state
  role_vars "${2:-}"
  local pid children
  pid=$(postmaster_pid "$ROLE_DATA") || fail "$2 is not running"
  children=$(pgrep -P "$pid" || true)
  kill -9 "$pid"
  wait_gone "$pid" 10 || fail "postmaster $pid survived kill -9"
  # The backends exit on their own when they notice the postmaster died; until they
  # have, a restart would refuse to start (shared memory still in use).
  local child
  for child in $children; do
    if ! wait_gone "$child" 10; then
      kill -9 "$child" 2>/dev/null || true
      wait_gone "$child" 5 || true
    fi
  done
  log "$2 postmaster $pid killed"
}

cmd_redis_stop() {
  resolve_dir "${1:-}"
  FAIL_LOGS=(redis)
  require_state
  redis_stop_instance
  log "redis stopped"
}

cmd_redis_start() {
  resolve_dir "${1:-}"
  FAIL_LOGS=(redis)
  require_state
  redis_start_instance || fail "redis-server did not start on port $REDIS_PORT"
  log "redis up on 127.0.0.1:$REDIS_PORT"
}

cmd_wait_streaming() {
  resolve_dir "${1:-}"
  FAIL_LOGS=(replica.log)
  require_state
  wait_streaming "${2:-30}" || fail "replica not streaming after ${2:-30} s"
}

cmd_psql() {
  resolve_dir "${1:-}"
  require_state
  role_vars "${2:-}"
  shift 2
  exec "$PG_BIN/psql" -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$ROLE_PORT" -U "$PG_USER" -d "$PG_DB" "$@"
}

cmd=${1:-}
shift || true
case $cmd in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  pg-stop) cmd_pg_stop "$@" ;;
  pg-start) cmd_pg_start "$@" ;;
  pg-kill) cmd_pg_kill "$@" ;;
  redis-stop) cmd_redis_stop "$@" ;;
  redis-start) cmd_redis_start "$@" ;;
  wait-streaming) cmd_wait_streaming "$@" ;;
  psql) cmd_psql "$@" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
