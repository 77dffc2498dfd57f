#!/usr/bin/env bash
# Checks the services fixture itself, from the env file it wrote ($FRAISEQL_TEST_ENV or
# the first argument). Every check compares an exact answer, so each one can fail.
set -uo pipefail

ENV_FILE=${1:-${FRAISEQL_TEST_ENV:-}}
if [[ -z $ENV_FILE || ! -r $ENV_FILE ]]; then
  echo "FAIL: env file '${ENV_FILE}' not readable: did services.start run?" >&2
  exit 1
fi

declare -A ENV=()
while IFS='=' read -r key value; do
  [[ -n $key ]] && ENV[$key]=$value
done <"$ENV_FILE"

failures=0
pass() { printf 'PASS: %s\n' "$1"; }
fail() {
  printf 'FAIL: %s\n' "$1" >&2
  failures=$((failures + 1))
}

for key in PG_PRIMARY_URL PG_REPLICA_URL PG_PRIMARY_PORT PG_REPLICA_PORT PG_PRIMARY_DATA \
  PG_REPLICA_DATA PG_BIN REDIS_URL REDIS_PORT SERVICES_DIR SERVICES_SCRIPT; do
  if [[ -n ${ENV[$key]:-} ]]; then pass "env has $key"; else fail "env lacks $key"; fi
done
if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi

PSQL=${ENV[PG_BIN]}/psql
[[ -x $PSQL ]] || PSQL=psql
primary() { PGCONNECT_TIMEOUT=5 "$PSQL" -X -q -v ON_ERROR_STOP=1 -tA "${ENV[PG_PRIMARY_URL]}" "$@" 2>&1; }
replica() { PGCONNECT_TIMEOUT=5 "$PSQL" -X -q -v ON_ERROR_STOP=1 -tA "${ENV[PG_REPLICA_URL]}" "$@" 2>&1; }

# expect NAME EXPECTED ACTUAL
expect() {
  if [[ $3 == "$2" ]]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

for url in PG_PRIMARY_URL PG_REPLICA_URL; do
  if [[ ${ENV[$url]} =~ ^postgresql://fraiseql@127\.0\.0\.1:[0-9]+/fraiseql$ ]]; then
    pass "$url is a loopback URL"
  else
    fail "$url is '${ENV[$url]}'"
  fi
done
expect "REDIS_URL matches REDIS_PORT" "redis://127.0.0.1:${ENV[REDIS_PORT]}/0" "${ENV[REDIS_URL]}"

# Primary
expect "primary answers" "1" "$(primary -c 'SELECT 1')"
expect "primary is PostgreSQL 15" "15" "$(primary -c "SELECT current_setting('server_version_num')::int / 10000")"
expect "primary is not in recovery" "f" "$(primary -c 'SELECT pg_is_in_recovery()')"
expect "connected as superuser fraiseql to fraiseql" "fraiseql|fraiseql|on" \
  "$(primary -c "SELECT current_user, current_database(), current_setting('is_superuser')")"
expect "primary listens on the env port" "${ENV[PG_PRIMARY_PORT]}" "$(primary -c "SHOW port")"
expect "primary listens on loopback only" "127.0.0.1" "$(primary -c "SHOW listen_addresses")"

# Replica
expect "replica answers" "1" "$(replica -c 'SELECT 1')"
expect "replica is in recovery" "t" "$(replica -c 'SELECT pg_is_in_recovery()')"
expect "replica listens on the env port" "${ENV[PG_REPLICA_PORT]}" "$(replica -c "SHOW port")"
expect "replica WAL receiver is streaming" "streaming" "$(replica -c 'SELECT status FROM pg_stat_wal_receiver')"
expect "primary sees one streaming standby" "1" \
  "$(primary -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")"

# Replication of a row
token="harness-$$-$RANDOM-$(date +%s%N)"
primary -c "CREATE TABLE IF NOT EXISTS services_harness_check (id bigserial PRIMARY KEY, token text NOT NULL)" >/dev/null
inserted=$(primary -c "INSERT INTO services_harness_check (token) VALUES ('$token') RETURNING token")
expect "row written on the primary" "$token" "$inserted"
seen=''
for _ in $(seq 1 100); do
  seen=$(replica -c "SELECT token FROM services_harness_check WHERE token = '$token'")
  [[ $seen == "$token" ]] && break
  sleep 0.1
done
expect "row replicated to the replica within 10 s" "$token" "$seen"
written=$(replica -c "INSERT INTO services_harness_check (token) VALUES ('x')")
if [[ $written == *"read-only transaction"* ]]; then
  pass "replica rejects writes"
else
  fail "replica accepted or failed oddly on a write: '$written'"
fi

# pg_stat_statements
expect "pg_stat_statements extension installed" "1" \
  "$(primary -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")"
expect "pg_stat_statements preloaded and tracking all" "all" "$(primary -c "SHOW pg_stat_statements.track")"
count=$(primary -c "SELECT count(*) > 0 FROM pg_stat_statements WHERE query LIKE '%services_harness_check%'")
expect "pg_stat_statements records statements" "t" "$count"

# Redis
redis() { redis-cli -h 127.0.0.1 -p "${ENV[REDIS_PORT]}" "$@" 2>&1; }
expect "redis answers PING" "PONG" "$(redis PING)"
expect "redis SET" "OK" "$(redis SET services_harness_check "$token")"
expect "redis GET" "$token" "$(redis GET services_harness_check)"
# CONFIG GET prints the name then the value; an empty value means no RDB snapshots.
expect "redis has no RDB persistence" "save" "$(redis CONFIG GET save)"
expect "redis has no AOF" $'appendonly\nno' "$(redis CONFIG GET appendonly)"
expect "redis binds loopback" $'bind\n127.0.0.1' "$(redis CONFIG GET bind)"

# The fault-injection entry point is where the env says it is.
status=$(bash "${ENV[SERVICES_SCRIPT]}" status "${ENV[SERVICES_DIR]}" 2>&1)
expect "services.sh status reports 3 running" "3" "$(grep -c ' running ' <<<"$status")"

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
