#!/usr/bin/env bash
# Makes DIR/node_modules match DIR/package-lock.json, running `npm ci` only when
# node_modules is missing or was installed from another lock file; cheap when nothing
# changed, and safe when parallel tests call it at once.
#   scripts/npm-ensure.sh DIR PACKAGE     PACKAGE: one installed package to check for
set -euo pipefail

dir=$(cd "${1:?usage: npm-ensure.sh DIR PACKAGE}" && pwd)
package=${2:?usage: npm-ensure.sh DIR PACKAGE}
name="npm-ensure ($(basename "$dir"))"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$name: '$tool' not found; install Node.js 18+ and npm (scripts/install-deps.sh does)" >&2
    exit 2
  fi
done

lock="$dir/package-lock.json"
stamp="$dir/node_modules/.lock-hash"
want="$(sha256sum "$lock" | cut -d' ' -f1)"
ready() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$dir/node_modules/$package/package.json" ]]
}
ready && exit 0

# Two concurrent callers (parallel ctest) must not run npm ci in the same directory.
exec 9>"$dir/.ensure.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
ready && exit 0

echo "$name: installing (npm ci)" >&2
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
