#!/usr/bin/env bash
# Installs the pinned graphql-js (package-lock.json) when it is not there yet.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../../scripts/npm-ensure.sh" "$here" graphql
