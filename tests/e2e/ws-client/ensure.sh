#!/usr/bin/env bash
# Makes tests/e2e/ws-client/node_modules match package-lock.json, running `npm ci` only
# when node_modules is missing or was installed from a different lock file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "ws-client/ensure.sh: '$tool' not found; install Node.js 18+ and npm" \
      "(scripts/install-deps.sh does)" >&2
    exit 2
  fi
done

lock="$here/package-lock.json"
stamp="$here/node_modules/.lock-hash"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

ready() {
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$here/node_modules/graphql-ws/package.json" ]]
}
ready && exit 0

# Concurrent callers (parallel ctest) must not run npm ci in the same directory.
exec 9>"$here/.ensure.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
ready && exit 0

echo "ws-client/ensure.sh: installing graphql-ws and ws (npm ci)" >&2
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
