// graphql-js's verdict on each document: one JSON line
//   {"file", "parse_ok", "rules": [sorted unique rule names], "messages": [...]}
// Usage: node graphqljs_verdicts.mjs SCHEMA.graphql (FILE.graphql | DIR | FILE.jsonl)...
import fs from 'node:fs';

import { readDocuments } from './documents.mjs';
import graphql from './graphqljs.mjs';

const { buildSchema, parse, validate, specifiedRules } = graphql;

const [schemaPath, ...inputs] = process.argv.slice(2);
if (!schemaPath || inputs.length === 0) {
  console.error('usage: graphqljs_verdicts.mjs SCHEMA (FILE.graphql | DIR | FILE.jsonl)...');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(schemaPath, 'utf8'));

// Each rule gets a context whose reportError tags the error with the rule's name; the
// rules still run together in one parallel visit, exactly as validate() runs them.
const tagged = specifiedRules.map((rule) => {
  const name = rule.name.replace(/Rule$/, '');
  return (context) => {
    const own = Object.create(context);
    own.reportError = (error) => {
      error.rule = name;
      context.reportError(error);
    };
    return rule(own);
  };
});

const out = [];
for (const { file, source } of readDocuments(inputs)) {
  let document;
  try {
    document = parse(source);
  } catch (error) {
    out.push(JSON.stringify({ file, parse_ok: false, rules: [], messages: [error.message] }));
    continue;
  }
  let errors;
  const threw = [];
  try {
    errors = validate(schema, document, tagged, { maxErrors: 1e9 });
  } catch {
    // A graphql-js 16 bug (e.g. SingleFieldSubscriptions evaluating @skip(if: $var)
    // without variable values) throws out of validate(): run the rules one at a time and
    // name the ones that throw, so compare.mjs can leave those out.
    errors = [];
    tagged.forEach((rule, i) => {
      try {
        errors.push(...validate(schema, document, [rule], { maxErrors: 1e9 }));
      } catch {
        threw.push(specifiedRules[i].name.replace(/Rule$/, ''));
      }
    });
  }
  const rules = [...new Set(errors.map((e) => e.rule))].sort();
  const verdict = { file, parse_ok: true, rules, messages: errors.map((e) => `${e.rule}: ${e.message}`) };
  if (threw.length > 0) verdict.threw = threw;
  out.push(JSON.stringify(verdict));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
