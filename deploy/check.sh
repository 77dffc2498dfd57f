#!/usr/bin/env bash
# Checks the deployment artifacts of deploy/ without a cluster, a cloud account or root:
#   1. yamllint on every YAML file (deploy/.yamllint);
#   2. the real nginx: `nginx -t` on nginx.conf rendered into a temporary prefix, then a
#      short run on loopback ports (no daemon behind it) for routing and X-Request-Id;
#   3. `promtool check rules` and `promtool test rules` on prometheus/alerts.yml;
#   4. structural checks of Kubernetes, cloud and Dockerfile (tests/deploy/check_manifests.py);
#   5. shellcheck on the shell scripts, when shellcheck is installed.
#
# Usage: deploy/check.sh [--binary PATH/TO/fraiseql] [DEPLOY_DIR]
# DEPLOY_DIR defaults to this script's directory (tests check altered copies with it).
# --binary also has the daemon load the ConfigMap (check-config) and compares the
# libraries it links with the image's runtime packages.
# Exit status 0 when every check passed, 1 otherwise (each failure is printed).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BINARY=""
DEPLOY=""
while (($#)); do
  case $1 in
    --binary)
      BINARY=${2:?--binary needs a path}
      shift 2
      ;;
    -h | --help)
      sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      DEPLOY=$1
      shift
      ;;
  esac
done
DEPLOY=$(cd "${DEPLOY:-$ROOT/deploy}" && pwd -P) || exit 2

failed=()
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
bad() {
  printf 'FAILED: %s\n' "$*"
  failed+=("$*")
}

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    bad "$1 is not installed (scripts/install-deps.sh installs it)"
    return 1
  fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraiseql-deploy-check.XXXXXX")
NGINX_PID=""
cleanup() {
  if [[ -n $NGINX_PID ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A loopback port nobody listens on at this moment.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- 1. yamllint ----
step "yamllint"
if need yamllint; then
  mapfile -t yaml_files < <(find "$DEPLOY" "$ROOT/tests/deploy" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
  if yamllint -c "$DEPLOY/.yamllint" -f parsable -s "${yaml_files[@]}"; then
    ok "yamllint: ${#yaml_files[@]} files"
  else
    bad "yamllint"
  fi
fi

# ---- 2. nginx ----
step "nginx"
if need nginx && need curl; then
  prefix=$WORK/nginx
  mkdir -p "$prefix/logs" "$prefix/tmp"
  cp -R "$DEPLOY/nginx" "$prefix/conf"
  listen_port=$(free_port)
  printf 'listen 127.0.0.1:%s;\n' "$listen_port" >"$prefix/conf/listen.conf"
  # Two daemon ports with nothing behind them: every proxied request ends in 502.
  {
    printf 'server 127.0.0.1:%s max_fails=3 fail_timeout=10s;\n' "$(free_port)" "$(free_port)"
  } >"$prefix/conf/upstreams.conf"
  nginx_cmd=(nginx -p "$prefix/" -c "$prefix/conf/nginx.conf" -e stderr)
  if "${nginx_cmd[@]}" -t; then
    ok "nginx -t"
    if "${nginx_cmd[@]}" -g 'daemon on;' && NGINX_PID=$(cat "$prefix/logs/nginx.pid" 2>/dev/null); then
      base=http://127.0.0.1:$listen_port
      # status METHOD PATH [curl args...]: the HTTP status nginx answers.
      status() {
        local method=$1 path=$2
        shift 2
        curl -s -o /dev/null -w '%{http_code}' -X "$method" "$@" "$base$path"
      }
      nginx_ok=1
      expect() {
        if [[ $2 == "$3" ]]; then ok "nginx: $1 -> $3"; else
          bad "nginx: $1 answered $2, expected $3"
          nginx_ok=0
        fi
      }
      expect "GET /health with no daemon up" "$(status GET /health)" 502
      expect "POST /graphql with no daemon up" "$(status POST /graphql -H 'Content-Type: application/json' \
        --data '{"query":"{ __typename }"}')" 502
      expect "GET /metrics (scraped per instance, not through nginx)" "$(status GET /metrics)" 404
      expect "GET /unknown" "$(status GET /unknown)" 404
      rid=$(curl -s -o /dev/null -D - -H 'X-Request-Id: check-42' "$base/health" | tr -d '\r' |
        awk -F': ' 'tolower($1) == "x-request-id" { print $2 }')
      expect "X-Request-Id given by the client is kept" "$rid" check-42
      rid=$(curl -s -o /dev/null -D - "$base/health" | tr -d '\r' |
        awk -F': ' 'tolower($1) == "x-request-id" { print $2 }')
      if [[ $rid =~ ^[0-9a-f]{32}$ ]]; then ok "nginx: X-Request-Id generated ($rid)"; else
        bad "nginx: no generated X-Request-Id (got '$rid')"
      fi
      # The first request tried both daemons before its 502 (proxy_next_upstream on
      # error): its access log line names two upstream addresses.
      first=$(grep -m1 '"GET /health ' "$prefix/logs/access.log" || true)
      if [[ $first =~ upstream=127\.0\.0\.1:[0-9]+,\ 127\.0\.0\.1:[0-9]+ ]]; then
        ok "nginx: a refused connection is retried on the next upstream"
      else
        bad "nginx: the first /health did not try both upstreams: $first"
        nginx_ok=0
      fi
      ((nginx_ok)) || cat "$prefix/logs/error.log"
    else
      bad "nginx did not start as $(id -un) with the rendered configuration"
      cat "$prefix/logs/error.log" 2>/dev/null
    fi
  else
    bad "nginx -t"
  fi
fi

# ---- 3. promtool ----
step "promtool"
if need promtool; then
  if promtool check rules "$DEPLOY/prometheus/alerts.yml"; then ok "promtool check rules"; else
    bad "promtool check rules"
  fi
  mkdir -p "$WORK/rules"
  cp "$DEPLOY/prometheus/alerts.yml" "$ROOT/tests/deploy/alerts_test.yml" "$WORK/rules/"
  if promtool test rules "$WORK/rules/alerts_test.yml"; then ok "promtool test rules"; else
    bad "promtool test rules (tests/deploy/alerts_test.yml)"
  fi
fi

# ---- 4. structure ----
step "structure (kubernetes, nginx, alerts, aws, gcp, Dockerfile)"
if need python3; then
  if ! python3 -c 'import yaml' 2>/dev/null; then
    bad "python3 has no yaml module (Debian package python3-yaml)"
  elif python3 "$ROOT/tests/deploy/check_manifests.py" "$DEPLOY" "$ROOT" "$BINARY"; then
    ok "structural checks"
  else
    bad "structural checks"
  fi
fi

# ---- 5. shell ----
step "shell scripts"
mapfile -t scripts < <(find "$DEPLOY" "$ROOT/tests/deploy" -type f -name '*.sh' | sort)
for s in "${scripts[@]}"; do
  bash -n "$s" || bad "bash -n $s"
done
if command -v shellcheck >/dev/null 2>&1; then
  if shellcheck "${scripts[@]}"; then ok "shellcheck: ${#scripts[@]} scripts"; else bad "shellcheck"; fi
else
  echo "note: shellcheck not installed; only bash -n ran"
fi

echo
if ((${#failed[@]})); then
  printf 'deploy check: %d failure(s)\n' "${#failed[@]}"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
echo "deploy check: all passed"
