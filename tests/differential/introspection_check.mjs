// Differential check of FraiseQL introspection against graphql-js.
//
//   node introspection_check.mjs DRIVER SDL_FILE...
//
// DRIVER is introspect_main: it prints FraiseQL's answer to the standard introspection
// query for the SDL files, and the FraiseQL prelude SDL. Two comparisons:
//  1. printSchema(buildClientSchema(ours)) must equal printSchema(buildSchema(prelude +
//     sdl)): the whole type system as a client sees it (types, fields, arguments,
//     defaults, descriptions, deprecations, specifiedBy, oneOf, directive definitions).
//  2. each type and directive of graphql-js's own introspection of that schema must be
//     deep-equal to ours (matched by name): this also covers the built-in scalars and
//     introspection types that printSchema leaves out. graphql-js lists only the spec
//     scalars the schema references; extra spec scalars on our side are allowed.
// Not comparable: applied directives other than @deprecated/@specifiedBy/@oneOf, which
// introspection does not expose (neither implementation can show them).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tools/graphqljs/package.json'));
const {
  buildClientSchema, buildASTSchema, printSchema, parse, getIntrospectionQuery, graphqlSync, Kind,
} = require('graphql');

const [driver, ...sdlFiles] = process.argv.slice(2);
if (!driver || sdlFiles.length === 0) {
  console.error('usage: node introspection_check.mjs DRIVER SDL_FILE...');
  process.exit(2);
}

const ours = JSON.parse(execFileSync(driver, sdlFiles, { encoding: 'utf8', maxBuffer: 1 << 28 }));
if (ours.errors) {
  console.error('FraiseQL returned errors:', JSON.stringify(ours.errors));
  process.exit(1);
}
const preludeSdl = execFileSync(driver, ['--fraiseql-prelude'], { encoding: 'utf8' });
const userSdl = sdlFiles.map((f) => readFileSync(f, 'utf8')).join('\n');

// A user definition replaces the prelude's definition of the same name, as in FraiseQL.
const userNames = new Set(
  parse(userSdl).definitions.filter((d) => d.name).map((d) => (d.kind === Kind.DIRECTIVE_DEFINITION ? '@' : '') + d.name.value),
);
const prelude = parse(preludeSdl).definitions.filter(
  (d) => !userNames.has((d.kind === Kind.DIRECTIVE_DEFINITION ? '@' : '') + d.name.value),
);
const reference = buildASTSchema({ kind: Kind.DOCUMENT, definitions: [...prelude, ...parse(userSdl).definitions] });

let failures = 0;
// The first path where two JSON values differ, or null.
function firstDifference(a, b, at = '') {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${at || '(root)'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], `${at}.${k}`);
    if (d) return d;
  }
  return null;
}
function fail(message) {
  failures += 1;
  if (failures <= 20) console.error(message);
}

// 1. Printed schemas.
const printedOurs = printSchema(buildClientSchema(ours.data));
const printedRef = printSchema(reference);
if (printedOurs !== printedRef) {
  const a = printedOurs.split('\n');
  const b = printedRef.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  fail(`printSchema differs at line ${i + 1}:\n  ours:     ${a[i]}\n  graphql-js: ${b[i]}`);
}

// 2. Introspection objects, by name.
const refResult = graphqlSync({
  schema: reference,
  source: getIntrospectionQuery({
    descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,
    inputValueDeprecation: true, oneOf: true,
  }),
});
if (refResult.errors) throw new Error(JSON.stringify(refResult.errors));
const refData = JSON.parse(JSON.stringify(refResult.data));
// graphql-js 16.15 already implements the directive-deprecation RFC, which the spec does
// not have (yet): location DIRECTIVE_DEFINITION (on @deprecated), __Directive.isDeprecated
// and deprecationReason, __Schema.directives(includeDeprecated:). FraiseQL follows the
// spec, so those parts are taken out of graphql-js's answer before comparing.
for (const d of refData.__schema.directives) {
  if (d.name === 'deprecated') d.locations = d.locations.filter((l) => l !== 'DIRECTIVE_DEFINITION');
}
for (const t of refData.__schema.types) {
  if (t.name === '__DirectiveLocation') t.enumValues = t.enumValues.filter((v) => v.name !== 'DIRECTIVE_DEFINITION');
  if (t.name === '__Directive') {
    t.fields = t.fields.filter((f) => f.name !== 'isDeprecated' && f.name !== 'deprecationReason');
  }
  if (t.name === '__Schema') {
    for (const f of t.fields) if (f.name === 'directives') f.args = [];
  }
}
const specScalars = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);
const ourTypes = new Map(ours.data.__schema.types.map((t) => [t.name, t]));
for (const t of refData.__schema.types) {
  if (!isDeepStrictEqual(ourTypes.get(t.name), t)) {
    fail(`type ${t.name} differs (ours vs graphql-js) at ${firstDifference(ourTypes.get(t.name), t)}`);
  }
  ourTypes.delete(t.name);
}
for (const name of ourTypes.keys()) {
  if (!specScalars.has(name)) fail(`type ${name} is only in FraiseQL's introspection`);
}
const ourDirectives = new Map(ours.data.__schema.directives.map((d) => [d.name, d]));
for (const d of refData.__schema.directives) {
  if (!isDeepStrictEqual(ourDirectives.get(d.name), d)) {
    fail(`directive @${d.name} differs (ours vs graphql-js) at ${firstDifference(ourDirectives.get(d.name), d)}`);
  }
  ourDirectives.delete(d.name);
}
for (const name of ourDirectives.keys()) fail(`directive @${name} is only in FraiseQL's introspection`);
for (const key of ['description', 'queryType', 'mutationType', 'subscriptionType']) {
  if (!isDeepStrictEqual(ours.data.__schema[key], refData.__schema[key])) {
    fail(`__schema.${key} differs: ${JSON.stringify(ours.data.__schema[key])} vs ${JSON.stringify(refData.__schema[key])}`);
  }
}

if (failures > 0) {
  console.error(`${failures} difference(s) for ${sdlFiles.join(' ')}`);
  process.exit(1);
}
console.log(`introspection matches graphql-js for ${sdlFiles.join(' ')} ` +
  `(${refData.__schema.types.length} types, ${refData.__schema.directives.length} directives)`);
