#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root, warnings are errors) over the sources of the
# modules, with the compile commands of a configured build directory.
#   scripts/lint.sh BUILD_DIR                 every file under src/
#   scripts/lint.sh BUILD_DIR FILE...         just these files
# Exit status is non-zero when clang-tidy reports anything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${1:?usage: scripts/lint.sh BUILD_DIR [FILE...]}
shift
[[ -f $build_dir/compile_commands.json ]] || {
  echo "lint: $build_dir/compile_commands.json not found; configure the build first" >&2
  exit 1
}
if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- 'src/*.cpp')
fi

tidy=$(command -v clang-tidy || true)
[[ -n $tidy ]] || {
  echo "lint: clang-tidy is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
}

# clang-tidy is built on clang; drop the GCC-only flags it would warn about.
extra=(--extra-arg=-Wno-unknown-warning-option --extra-arg=-Wno-unused-command-line-argument)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "${JOBS:-2}" -n 4 "$tidy" -p "$build_dir" --quiet "${extra[@]}" >"$log" 2>&1 || status=$?
# Keep the findings, not clang-tidy's "N warnings generated" chatter about system headers.
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Use -system-headers' "$log" || true
if ((status != 0)); then
  echo "lint: clang-tidy found problems (above)" >&2
  exit 1
fi
echo "lint: ${#files[@]} files clean"
