#!/usr/bin/env bash
# Builds one libFuzzer target under ASan+UBSan and runs it for a bounded time.
#
#   tests/fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#
# TARGET is parse_fuzz, validate_fuzz or coercion_fuzz. The build directory is
# $BUILD_DIR (default build-fuzz, configured with clang when missing). The run starts from
# the seed corpus tests/fuzz/corpus/<name> (TARGET without _fuzz), works in
# $BUILD_DIR/fuzz-work/TARGET (new inputs there, never in the source tree) and writes a
# crashing input as $BUILD_DIR/fuzz-work/TARGET/crash-*. Exit status is non-zero on a
# crash, leak, UB report or timeout; copy the artifact into the seed corpus once fixed.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 TARGET SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
build_dir=${BUILD_DIR:-$root/build-fuzz}
seeds=$root/tests/fuzz/corpus/${target%_fuzz}
work=$build_dir/fuzz-work/$target

if [[ ! -d $seeds ]]; then
  echo "error: no seed corpus $seeds" >&2
  exit 2
fi

if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  args=(-S "$root" -B "$build_dir" -G Ninja -DFRAISEQL_FUZZ=ON -DFRAISEQL_BENCH=OFF -DFRAISEQL_TESTS=OFF
        -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if command -v ccache >/dev/null 2>&1; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  CC=clang CXX=clang++ cmake "${args[@]}"
fi
cmake --build "$build_dir" -j "${FUZZ_BUILD_JOBS:-2}" --target "$target"

mkdir -p "$work/corpus"
flags=(-max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1
       -artifact_prefix="$work/")
# The GraphQL token dictionary helps the document targets; JSON needs none.
if [[ $target != coercion_fuzz ]]; then
  flags+=(-dict="$root/tests/fuzz/parse.dict")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build_dir/tests/fuzz/$target" "${flags[@]}" "$@" "$work/corpus" "$seeds"
