# shellcheck shell=bash
# Shared by the bench scripts (sourced).

# bench_build REPO BUILD_DIR JOBS TARGET...: a Release build of the targets. Warnings are
# not errors here: GCC 12 at -O3 reports false positives inside libstdc++ that the
# RelWithDebInfo CI build does not, and a figure should not wait on them.
bench_build() {
  local repo=$1 build=$2 jobs=$3
  shift 3
  local launcher=() log
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFRAISEQL_BENCH=ON -DFRAISEQL_TESTS=OFF \
    -DFRAISEQL_WERROR=OFF "${launcher[@]}" >/dev/null
  if ! log="$(cmake --build "$build" -j "$jobs" --target "$@" 2>&1)"; then
    echo "$log" >&2
    return 1
  fi
}
