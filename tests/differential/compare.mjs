// Compares two verdict files (fraiseql_verdicts, graphqljs_verdicts) and exits 1 on any
// disagreement, listing each one: document, ours, theirs.
// Usage: node compare.mjs OURS.jsonl THEIRS.jsonl [--sources FILE.jsonl|DIR]... [--report FILE]
//
// It also checks the hand-written corpus against graphql-js, so the corpus keeps meaning
// what its file names say: valid_* must be valid, syntax_* must not parse,
// invalid_<Rule>_* must make graphql-js report <Rule>, and every specified rule must be
// reported by some corpus document.
import fs from 'node:fs';

import { readDocuments } from './documents.mjs';
import graphql from './graphqljs.mjs';

const args = process.argv.slice(2);
const positional = [];
const sourceInputs = [];
let reportPath = null;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--sources') sourceInputs.push(args[++i]);
  else if (args[i] === '--report') reportPath = args[++i];
  else positional.push(args[i]);
}
if (positional.length !== 2) {
  console.error('usage: compare.mjs OURS.jsonl THEIRS.jsonl [--sources X]... [--report FILE]');
  process.exit(2);
}

function load(file) {
  const map = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line);
    map.set(v.file, v);
  }
  return map;
}
const ours = load(positional[0]);
const theirs = load(positional[1]);
const sources = new Map();
for (const input of sourceInputs) for (const d of readDocuments([input])) sources.set(d.file, d.source);

const show = (v) => (v ? (v.parse_ok ? (v.rules === null ? 'parses' : `[${v.rules.join(', ')}]`) : 'syntax error') : 'missing');
const sameRules = (a, b) => a.length === b.length && a.every((r, i) => r === b[i]);

// Documents on which graphql-js 16 is known to be wrong and we follow the spec. Each
// entry is matched narrowly: the only difference must be the one described.
const knownDeviations = new Map(); // description -> documents
function knownDeviation(o, t) {
  // graphql-js 16 checks "a variable in a @oneOf field must be non-null" only when the
  // argument or field holding the literal is nullable: it tests the parent input type
  // without unwrapping NonNull. The spec (and graphql-js 17) check every position.
  const extraRules = o.rules.filter((r) => !t.rules.includes(r));
  const missing = t.rules.filter((r) => !o.rules.includes(r));
  // The spec (and graphql-js 17) forbid @skip and @include at the root of a subscription;
  // graphql-js 16 evaluates a literal condition instead.
  if (missing.length === 0 && extraRules.length === 1 && extraRules[0] === 'SingleFieldSubscriptions' &&
      o.messages.filter((m) => m.startsWith('SingleFieldSubscriptions: ')).every((m) =>
        / must not use `@skip` or `@include` directives in the top level selection\.$/.test(m))) {
    return 'graphql-js 16 allows @skip/@include at the root of a subscription (SingleFieldSubscriptions)';
  }
  if (missing.length > 0 || extraRules.length !== 1 || extraRules[0] !== 'VariablesInAllowedPosition') return null;
  const theirMessages = new Set(t.messages);
  const extra = o.messages.filter((m) => m.startsWith('VariablesInAllowedPosition: ') && !theirMessages.has(m));
  if (extra.length > 0 && extra.every((m) => / but must be non-nullable to be used for OneOf Input Object /.test(m))) {
    return 'graphql-js 16 skips the @oneOf nullable-variable check under a non-null argument (VariablesInAllowedPosition)';
  }
  return null;
}

let validationCompared = true;
const disagreements = [];
const byRule = new Map(); // rule -> {oursOnly, theirsOnly}
const bump = (rule, key) => {
  if (!byRule.has(rule)) byRule.set(rule, { oursOnly: 0, theirsOnly: 0 });
  byRule.get(rule)[key]++;
};
let parseDisagreements = 0;
let mutants = 0;
let invalidTheirs = 0;
let syntaxTheirs = 0;
let threwTheirs = 0;
for (const [file, t] of theirs) {
  if (file.includes('/')) ++mutants;
  if (!t.parse_ok) ++syntaxTheirs;
  else if (t.rules.length > 0) ++invalidTheirs;
  let o = ours.get(file);
  if (!o) {
    disagreements.push({ file, o, t, why: 'no verdict from fraiseql' });
    continue;
  }
  if (o.parse_ok !== t.parse_ok) {
    ++parseDisagreements;
    disagreements.push({ file, o, t, why: 'parse' });
    continue;
  }
  if (!o.parse_ok) continue;
  if (o.rules === null) {
    validationCompared = false;
    continue;
  }
  if (t.threw) {
    // graphql-js threw inside these rules: it has no verdict on them to compare with.
    ++threwTheirs;
    o = { ...o, rules: o.rules.filter((r) => !t.threw.includes(r)) };
  }
  if (!sameRules(o.rules, t.rules)) {
    const known = knownDeviation(o, t);
    if (known) {
      knownDeviations.set(known, (knownDeviations.get(known) ?? 0) + 1);
      continue;
    }
    for (const r of o.rules) if (!t.rules.includes(r)) bump(r, 'oursOnly');
    for (const r of t.rules) if (!o.rules.includes(r)) bump(r, 'theirsOnly');
    disagreements.push({ file, o, t, why: 'rules' });
  }
}

// The hand-written corpus (names without '/') must say what its names claim.
const corpusProblems = [];
const firedInCorpus = new Set();
for (const [file, t] of theirs) {
  if (file.includes('/')) continue;
  for (const r of t.rules) firedInCorpus.add(r);
  let m;
  if (file.startsWith('valid_') && !(t.parse_ok && t.rules.length === 0)) {
    corpusProblems.push(`${file}: named valid_ but graphql-js says ${show(t)}`);
  } else if (file.startsWith('syntax_') && t.parse_ok) {
    corpusProblems.push(`${file}: named syntax_ but graphql-js parses it`);
  } else if ((m = /^invalid_([A-Za-z]+)_/.exec(file)) && !(t.parse_ok && t.rules.includes(m[1]))) {
    corpusProblems.push(`${file}: graphql-js does not report ${m[1]} (says ${show(t)})`);
  }
}
for (const rule of graphql.specifiedRules) {
  const name = rule.name.replace(/Rule$/, '');
  if (!firedInCorpus.has(name)) corpusProblems.push(`corpus: no document makes graphql-js report ${name}`);
}

const lines = [];
lines.push(`documents: ${theirs.size} (${theirs.size - mutants} hand-written, ${mutants} mutants); ` +
  `graphql-js: ${theirs.size - syntaxTheirs - invalidTheirs} valid, ${invalidTheirs} invalid, ${syntaxTheirs} syntax errors`);
const knownTotal = [...knownDeviations.values()].reduce((a, b) => a + b, 0);
lines.push(`agreements: ${theirs.size - disagreements.length - knownTotal}, disagreements: ${disagreements.length} ` +
  `(parse: ${parseDisagreements}, rules: ${disagreements.length - parseDisagreements})` +
  (validationCompared ? '' : '  [validation not compared: fraiseql_verdicts was built without validate()]'));
for (const [what, n] of knownDeviations) lines.push(`known graphql-js deviations, not counted: ${n} documents: ${what}`);
if (threwTheirs > 0) lines.push(`graphql-js threw inside a rule on ${threwTheirs} documents; those rules are not compared there`);
if (byRule.size > 0) {
  lines.push('disagreements by rule (documents where only ours / only graphql-js reported it):');
  for (const [rule, c] of [...byRule].sort()) lines.push(`  ${rule}: ours only ${c.oursOnly}, graphql-js only ${c.theirsOnly}`);
}
const details = [];
for (const { file, o, t, why } of disagreements) {
  const block = [`--- ${file} (${why})`];
  block.push(`  ours:       ${show(o)}${o ? '  ' + JSON.stringify(o.messages) : ''}`);
  block.push(`  graphql-js: ${show(t)}  ${JSON.stringify(t.messages)}`);
  const src = sources.get(file);
  if (src !== undefined) block.push('  source: ' + JSON.stringify(src.length > 600 ? src.slice(0, 600) + '…' : src));
  details.push(block.join('\n'));
}
for (const p of corpusProblems) lines.push(`corpus problem: ${p}`);

const summary = lines.join('\n');
const kShown = 60;
const shown = details.slice(0, kShown).join('\n');
console.log(summary);
if (details.length > 0) {
  console.log('\n' + shown);
  if (details.length > kShown) console.log(`… ${details.length - kShown} more` + (reportPath ? ` in ${reportPath}` : ''));
}
if (reportPath) fs.writeFileSync(reportPath, summary + '\n\n' + details.join('\n') + '\n');
process.exit(disagreements.length > 0 || corpusProblems.length > 0 ? 1 : 0);
