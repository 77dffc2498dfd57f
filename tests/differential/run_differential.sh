#!/usr/bin/env bash
# Runs the graphql-js differential test: mutates the corpus, asks graphql-js and FraiseQL
# for their verdicts on every document, and fails listing each disagreement.
# Usage: run_differential.sh FRAISEQL_VERDICTS_BINARY WORK_DIR
# Environment: DIFF_SEED (default 20260202), DIFF_PER_DOC (mutants per corpus document,
# default 16).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
verdicts_bin="$1"
work="$2"
seed="${DIFF_SEED:-20260202}"
per_doc="${DIFF_PER_DOC:-16}"

"$here/../../tools/graphqljs/ensure.sh"
mkdir -p "$work"

node "$here/mutate.mjs" --seed "$seed" --per-doc "$per_doc" "$here/schema.graphql" "$here/corpus" >"$work/mutants.jsonl"
node "$here/graphqljs_verdicts.mjs" "$here/schema.graphql" "$here/corpus" "$work/mutants.jsonl" >"$work/graphqljs.jsonl"
"$verdicts_bin" "$here/schema.graphql" "$here/corpus" "$work/mutants.jsonl" >"$work/fraiseql.jsonl"

echo "seed $seed, $per_doc mutants per corpus document; files in $work"
exec node "$here/compare.mjs" "$work/fraiseql.jsonl" "$work/graphqljs.jsonl" \
  --sources "$here/corpus" --sources "$work/mutants.jsonl" --report "$work/report.txt"
