# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh (sourced, not executed).

# Repository root, whatever the caller's working directory.
FRAISEQL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

say() { printf '\n==> %s\n' "$*" >&2; }

# Seconds since $1 (an $EPOCHREALTIME value), one decimal.
seconds_since() {
  awk -v a="${1/,/.}" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }'
}

# configure_build BUILD_DIR: Ninja, RelWithDebInfo, ccache when present.
configure_build() {
  local build_dir=$1
  local args=(-S "$FRAISEQL_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if command -v ccache >/dev/null 2>&1; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  if [[ -f $build_dir/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build_dir/CMakeCache.txt"; then
    echo "error: $build_dir was configured with another generator; remove it or set BUILD_DIR" >&2
    return 1
  fi
  cmake "${args[@]}"
}
