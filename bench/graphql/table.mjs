// Joins the JSON lines of graphql_bench and graphqljs_bench.mjs into one table.
// Usage: node table.mjs OURS.jsonl GRAPHQLJS.jsonl
import fs from 'node:fs';

const load = (f) => new Map(fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
  const v = JSON.parse(l);
  return [v.doc, v];
}));
const ours = load(process.argv[2]);
const theirs = load(process.argv[3]);

const us = (x) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (t, o) => (o === undefined || t === undefined ? '-' : `${(t / o).toFixed(1)}x`);
const rows = [['document', 'bytes', 'ours parse', 'validate', 'both', 'graphql-js parse', 'validate', 'both',
  'speed-up parse', 'validate', 'both']];
for (const [doc, o] of ours) {
  const t = theirs.get(doc) ?? {};
  rows.push([doc, String(o.bytes), us(o.parse_us), us(o.validate_us), us(o.both_us), us(t.parse_us), us(t.validate_us),
    us(t.both_us), ratio(t.parse_us, o.parse_us), ratio(t.validate_us, o.validate_us), ratio(t.both_us, o.both_us)]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const fmt = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
console.log('µs per operation, median of repeated batches (lower is better); speed-up = graphql-js / ours');
console.log(fmt(rows[0]));
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const r of rows.slice(1)) console.log(fmt(r));
const errs = [...ours.values()].filter((o) => o.errors) .map((o) => o.doc)
  .concat([...theirs.values()].filter((t) => t.errors).map((t) => `${t.doc} (graphql-js)`));
if (errs.length) console.log(`\nnote: validation reported errors on ${errs.join(', ')}: those figures time the error path`);
