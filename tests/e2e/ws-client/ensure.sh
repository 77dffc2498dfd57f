#!/usr/bin/env bash
# Installs the pinned graphql-ws and ws clients (package-lock.json) when they are not there yet.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../../../scripts/npm-ensure.sh" "$here" graphql-ws
