#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the demo need.
# Idempotent: when everything is already installed it does not touch apt at all.
# Runs as root directly, otherwise through sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache g++ clang libclang-rt-14-dev
  clang-format clang-tidy
  libboost-dev libboost-system-dev libpqxx-dev libhiredis-dev prometheus-cpp-dev
  nlohmann-json3-dev libspdlog-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev
  postgresql-15 postgresql-contrib redis-server nginx-light wrk prometheus
  curl yamllint nodejs npm procps iproute2 python3
  python3-yaml
)

log() { printf 'install-deps: %s\n' "$*"; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  log "error: dpkg/apt not found; this script supports Debian 12 (bookworm) only" >&2
  exit 1
fi

# Names satisfied by an installed package's "Provides:" (e.g. a nodejs build that
# bundles npm and conflicts with Debian's npm package) count as installed.
list_provided() {
  provided=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Provides}\n' 2>/dev/null |
    awk -F'|' '$1 ~ /^ii/ && $2 != "" { print $2 }' |
    tr ',' '\n' | sed -E 's/\(.*\)//; s/^ +//; s/ +$//' | sort -u | tr '\n' ' ') "
}
list_provided

is_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true)
  [[ $status == ii* ]] && return 0
  [[ $provided == *" $1 "* ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    log "error: not root and sudo is not available; run as root or install sudo" >&2
    log "missing packages: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)

log "installing ${#missing[@]} package(s): ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -q \
  --no-install-recommends "${missing[@]}"

list_provided
still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if ((${#still_missing[@]} > 0)); then
  log "error: still not installed after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
log "done"
