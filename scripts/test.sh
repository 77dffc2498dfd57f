#!/usr/bin/env bash
# The test command: installs the dependencies, builds everything and runs every test
# (unit, integration, e2e). Integration and e2e tests get a throwaway PostgreSQL
# primary + replica and Redis from the CTest fixture `services`.
#
#   scripts/test.sh                 everything
#   scripts/test.sh -L unit         extra arguments go to ctest
#   BUILD_DIR=build-x scripts/test.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$FRAISEQL_ROOT"

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
t_start=$EPOCHREALTIME

say "dependencies"
scripts/install-deps.sh

say "configure ($BUILD_DIR)"
configure_build "$BUILD_DIR"

say "build (-j$JOBS)"
t_build=$EPOCHREALTIME
if ! cmake --build "$BUILD_DIR" -j "$JOBS"; then
  printf 'BUILD FAILED after %ss\n' "$(seconds_since "$t_build")" >&2
  exit 1
fi
build_s=$(seconds_since "$t_build")

# If ctest is interrupted or times out, its fixture cleanup may not run.
trap 'scripts/services.sh stop "$BUILD_DIR/test-services" >/dev/null 2>&1 || true' EXIT

say "tests"
t_tests=$EPOCHREALTIME
rc=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 600 --no-tests=error "$@" || rc=$?
tests_s=$(seconds_since "$t_tests")

say "summary"
printf 'build: %ss  tests: %ss  total: %ss\n' "$build_s" "$tests_s" "$(seconds_since "$t_start")"
if ((rc != 0)); then
  echo "TESTS FAILED (ctest exit $rc)" >&2
  exit "$rc"
fi
echo "all tests passed"
