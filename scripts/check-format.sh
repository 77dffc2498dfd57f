#!/usr/bin/env bash
# Fails when a C++ file under version control differs from what clang-format makes of it.
#   scripts/check-format.sh          check (CI, ctest test `format`)
#   scripts/check-format.sh --fix    rewrite the files in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' ':!:tests/corpus/**')
if ((${#files[@]} == 0)); then
  echo "check-format: no C++ files found (not a git checkout?)" >&2
  exit 1
fi
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
