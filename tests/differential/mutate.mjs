// Deterministic mutants of the corpus, for the differential test: each document is
// parsed with graphql-js, damaged by one to three AST edits (and sometimes a text
// edit that breaks the syntax), printed, and written as one JSON line
//   {"file": "m/<corpus name>.<n>", "source": "...", "ops": ["renameField", ...]}
// Same seed, corpus and graphql-js version: same output, byte for byte.
// Usage: node mutate.mjs [--seed N] [--per-doc K] SCHEMA.graphql CORPUS_DIR > mutants.jsonl
import fs from 'node:fs';

import { readDocuments } from './documents.mjs';
import graphql from './graphqljs.mjs';

const { buildSchema, parse, print, Kind, isEnumType, isInputObjectType, isObjectType, isInterfaceType } = graphql;

let seed = 20260202;
let perDoc = 16;
const positional = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--seed') seed = Number(argv[++i]);
  else if (argv[i] === '--per-doc') perDoc = Number(argv[++i]);
  else positional.push(argv[i]);
}
if (positional.length !== 2) {
  console.error('usage: mutate.mjs [--seed N] [--per-doc K] SCHEMA CORPUS_DIR');
  process.exit(2);
}
const schema = buildSchema(fs.readFileSync(positional[0], 'utf8'));

// mulberry32: small, fast and the same on every platform (Math.random is not seedable).
function prng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = prng(seed);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const chance = (p) => rand() < p;

// Names taken from the schema, so many mutants are plausible rather than plain typos.
const typeNames = Object.keys(schema.getTypeMap()).sort();
const fieldNames = new Set(['__typename', '__schema', '__type']);
const argNames = new Set(['if', 'unknownArg']);
const enumValues = new Set(['NOT_A_VALUE']);
const inputFieldNames = new Set(['bogus']);
for (const name of typeNames) {
  const type = schema.getType(name);
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const f of Object.values(type.getFields())) {
      fieldNames.add(f.name);
      for (const a of f.args) argNames.add(a.name);
    }
  } else if (isInputObjectType(type)) {
    for (const f of Object.values(type.getFields())) inputFieldNames.add(f.name);
  } else if (isEnumType(type)) {
    for (const v of type.getValues()) enumValues.add(v.name);
  }
}
const directiveNames = [...schema.getDirectives().map((d) => d.name), 'unknown', 'deprecated'].sort();
for (const d of schema.getDirectives()) for (const a of d.args) argNames.add(a.name);
const fields = [...fieldNames].sort();
const args = [...argNames].sort();
const enums = [...enumValues].sort();
const inputFields = [...inputFieldNames].sort();
const typePool = [...typeNames, 'Nope', 'user', 'String'];

const name = (value) => ({ kind: Kind.NAME, value });
const clone = (node) => structuredClone(node);

// Every node of the document with the array or object slot that holds it.
function collect(root) {
  const out = [];
  const walk = (node, holder, key) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, node, i));
      return;
    }
    if (typeof node.kind !== 'string') return;
    out.push({ node, holder, key });
    for (const [k, v] of Object.entries(node)) if (k !== 'kind') walk(v, node, k);
  };
  walk(root, null, null);
  return out;
}
const ofKind = (all, ...kinds) => all.filter((s) => kinds.includes(s.node.kind));

function randomType(depth = 0) {
  const r = int(10);
  if (depth < 2 && r === 0) return { kind: Kind.LIST_TYPE, type: randomType(depth + 1) };
  if (depth < 2 && r === 1) return { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.LIST_TYPE, type: randomType(depth + 1) } };
  const named = { kind: Kind.NAMED_TYPE, name: name(pick(typePool)) };
  return chance(0.4) ? { kind: Kind.NON_NULL_TYPE, type: named } : named;
}

function randomValue(doc, depth = 0) {
  const vars = ofKind(collect(doc), Kind.VARIABLE_DEFINITION).map((s) => s.node.variable.name.value);
  switch (int(depth < 2 ? 11 : 8)) {
    case 0: return { kind: Kind.INT, value: pick(['0', '1', '-7', '42', '2147483647', '2147483648', '-2147483649']) };
    case 1: return { kind: Kind.FLOAT, value: pick(['1.5', '-0.0', '1e3', '6.02e23']) };
    case 2: return { kind: Kind.STRING, value: pick(['', 'x', 'ASC', '1', '2020-01-01']) };
    case 3: return { kind: Kind.BOOLEAN, value: chance(0.5) };
    case 4: return { kind: Kind.NULL };
    case 5: return { kind: Kind.ENUM, value: pick(enums) };
    case 6:
    case 7: return { kind: Kind.VARIABLE, name: name(vars.length && chance(0.7) ? pick(vars) : pick(['x', 'id', 'limit'])) };
    case 8:
    case 9: return { kind: Kind.LIST, values: Array.from({ length: int(3) }, () => randomValue(doc, depth + 1)) };
    default:
      return {
        kind: Kind.OBJECT,
        fields: Array.from({ length: int(3) }, () => ({ kind: Kind.OBJECT_FIELD, name: name(pick(inputFields)), value: randomValue(doc, depth + 1) })),
      };
  }
}

function randomDirective(doc) {
  const d = { kind: Kind.DIRECTIVE, name: name(pick(directiveNames)), arguments: [] };
  for (let i = int(3); i > 0; --i) d.arguments.push({ kind: Kind.ARGUMENT, name: name(pick(['if', 'name', 'max', 'level', 'with', pick(args)])), value: randomValue(doc, 1) });
  return d;
}

function leafSelection() {
  return { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: name(pick(['id', '__typename', 'name', 'title'])), arguments: [], directives: [] }] };
}

// Each operator edits `doc` in place and returns false when it found nothing to edit.
const operators = {
  deleteSelection(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD, Kind.INLINE_FRAGMENT, Kind.FRAGMENT_SPREAD));
    if (!s) return false;
    s.holder.splice(s.key, 1);
    return true;
  },
  renameField(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD));
    if (!s) return false;
    s.node.name = name(chance(0.8) ? pick(fields) : s.node.name.value + 'x');
    return true;
  },
  setAlias(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD));
    if (!s) return false;
    const siblings = s.holder.filter((n) => n.kind === Kind.FIELD);
    const other = pick(siblings);
    s.node.alias = name((other.alias ?? other.name).value);
    return true;
  },
  duplicateField(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD));
    if (!s) return false;
    const copy = clone(s.node);
    if (copy.arguments.length && chance(0.5)) pick(copy.arguments).value = randomValue(doc);
    else if (chance(0.5)) copy.name = name(pick(fields));
    s.holder.splice(s.key + 1, 0, copy);
    return true;
  },
  addField(doc, all) {
    const s = pick(ofKind(all, Kind.SELECTION_SET));
    if (!s) return false;
    const field = { kind: Kind.FIELD, name: name(pick(fields)), arguments: [], directives: [] };
    if (chance(0.5)) field.selectionSet = leafSelection();
    s.node.selections.splice(int(s.node.selections.length + 1), 0, field);
    return true;
  },
  toggleSelectionSet(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD));
    if (!s) return false;
    if (s.node.selectionSet) delete s.node.selectionSet;
    else s.node.selectionSet = leafSelection();
    return true;
  },
  renameArgument(doc, all) {
    const s = pick(ofKind(all, Kind.ARGUMENT));
    if (!s) return false;
    s.node.name = name(pick(args));
    return true;
  },
  dropArgument(doc, all) {
    const s = pick(ofKind(all, Kind.ARGUMENT));
    if (!s) return false;
    s.holder.splice(s.key, 1);
    return true;
  },
  addArgument(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD, Kind.DIRECTIVE));
    if (!s) return false;
    s.node.arguments = [...(s.node.arguments ?? []), { kind: Kind.ARGUMENT, name: name(pick(args)), value: randomValue(doc) }];
    return true;
  },
  duplicateArgument(doc, all) {
    const s = pick(ofKind(all, Kind.ARGUMENT));
    if (!s) return false;
    s.holder.splice(s.key, 0, clone(s.node));
    return true;
  },
  replaceValue(doc, all) {
    const s = pick(all.filter((x) => x.holder && x.key !== 'variable' && x.node.kind !== Kind.OBJECT_FIELD &&
      [Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT, Kind.VARIABLE].includes(x.node.kind)));
    if (!s) return false;
    s.holder[s.key] = randomValue(doc);
    return true;
  },
  objectFieldEdit(doc, all) {
    const s = pick(ofKind(all, Kind.OBJECT_FIELD));
    if (!s) return false;
    const r = int(3);
    if (r === 0) s.holder.splice(s.key, 0, clone(s.node));
    else if (r === 1) s.holder.splice(s.key, 1);
    else s.node.name = name(pick(inputFields));
    return true;
  },
  dropVariableDefinition(doc, all) {
    const s = pick(ofKind(all, Kind.VARIABLE_DEFINITION));
    if (!s) return false;
    s.holder.splice(s.key, 1);
    return true;
  },
  addVariableDefinition(doc, all) {
    const s = pick(ofKind(all, Kind.OPERATION_DEFINITION));
    if (!s) return false;
    const existing = (s.node.variableDefinitions ?? []).map((v) => v.variable.name.value);
    const varName = existing.length && chance(0.4) ? pick(existing) : pick(['x', 'id', 'limit', 'extra']);
    const def = { kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: name(varName) }, type: randomType(), directives: [] };
    if (chance(0.3)) def.defaultValue = randomValue(doc, 1);
    s.node.variableDefinitions = [...(s.node.variableDefinitions ?? []), def];
    return true;
  },
  changeVariableType(doc, all) {
    const s = pick(ofKind(all, Kind.VARIABLE_DEFINITION));
    if (!s) return false;
    s.node.type = chance(0.5) ? randomType() : { kind: Kind.NON_NULL_TYPE, type: s.node.type.kind === Kind.NON_NULL_TYPE ? s.node.type.type : s.node.type };
    if (s.node.type.kind === Kind.NON_NULL_TYPE && s.node.type.type.kind === Kind.NON_NULL_TYPE) s.node.type = s.node.type.type;
    return true;
  },
  duplicateDefinition(doc) {
    const def = pick(doc.definitions);
    if (!def) return false;
    const copy = clone(def);
    if (copy.kind === Kind.OPERATION_DEFINITION && chance(0.3)) delete copy.name;
    doc.definitions.push(copy);
    return true;
  },
  fragmentCycle(doc) {
    const frags = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    if (frags.length === 0) return false;
    const target = pick(frags);
    const host = pick(frags);
    host.selectionSet.selections.push({ kind: Kind.FRAGMENT_SPREAD, name: name(target.name.value), directives: [] });
    return true;
  },
  addSpread(doc, all) {
    const s = pick(ofKind(all, Kind.SELECTION_SET));
    if (!s) return false;
    const frags = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => d.name.value);
    s.node.selections.push({ kind: Kind.FRAGMENT_SPREAD, name: name(frags.length && chance(0.8) ? pick(frags) : 'Missing'), directives: [] });
    return true;
  },
  addFragment(doc) {
    const selections = [{ kind: Kind.FIELD, name: name(pick(['id', 'name', '__typename', 'title'])), arguments: [], directives: [] }];
    doc.definitions.push({
      kind: Kind.FRAGMENT_DEFINITION,
      name: name(pick(['Extra', 'F', 'A', 'P'])),
      typeCondition: { kind: Kind.NAMED_TYPE, name: name(pick(typePool)) },
      directives: [],
      selectionSet: { kind: Kind.SELECTION_SET, selections },
    });
    return true;
  },
  wrapInInlineFragment(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD, Kind.FRAGMENT_SPREAD));
    if (!s) return false;
    const inline = { kind: Kind.INLINE_FRAGMENT, directives: [], selectionSet: { kind: Kind.SELECTION_SET, selections: [s.node] } };
    if (chance(0.8)) inline.typeCondition = { kind: Kind.NAMED_TYPE, name: name(pick(typePool)) };
    s.holder[s.key] = inline;
    return true;
  },
  changeTypeCondition(doc, all) {
    const s = pick(ofKind(all, Kind.INLINE_FRAGMENT, Kind.FRAGMENT_DEFINITION));
    if (!s) return false;
    s.node.typeCondition = { kind: Kind.NAMED_TYPE, name: name(pick(typePool)) };
    return true;
  },
  addDirective(doc, all) {
    const s = pick(ofKind(all, Kind.FIELD, Kind.FRAGMENT_SPREAD, Kind.INLINE_FRAGMENT, Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION, Kind.VARIABLE_DEFINITION));
    if (!s) return false;
    const d = chance(0.3) && s.node.directives?.length ? clone(pick(s.node.directives)) : randomDirective(doc);
    s.node.directives = [...(s.node.directives ?? []), d];
    return true;
  },
  changeOperation(doc) {
    const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (ops.length === 0) return false;
    const op = pick(ops);
    const r = int(3);
    if (r === 0) op.operation = pick(['query', 'mutation', 'subscription']);
    else if (r === 1) delete op.name;
    else op.name = name(pick(ops).name?.value ?? 'Q');
    return true;
  },
  deepIntrospection(doc) {
    const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (ops.length === 0) return false;
    let inner = { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: name('name'), arguments: [], directives: [] }] };
    for (let i = 1 + int(4); i > 0; --i) {
      const list = pick(['fields', 'interfaces', 'possibleTypes', 'inputFields']);
      const wrapped = list === 'fields' || list === 'inputFields'
        ? { kind: Kind.FIELD, name: name('type'), arguments: [], directives: [], selectionSet: inner }
        : null;
      inner = { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: name(list), arguments: [], directives: [], selectionSet: wrapped ? { kind: Kind.SELECTION_SET, selections: [wrapped] } : inner }] };
    }
    pick(ops).selectionSet.selections.push({
      kind: Kind.FIELD, name: name('__schema'), arguments: [], directives: [],
      selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: name('types'), arguments: [], directives: [], selectionSet: inner }] },
    });
    return true;
  },
};
const operatorNames = Object.keys(operators);

// Text edits: most break the syntax, which exercises the parser's error paths.
const punct = ['{', '}', '(', ')', '[', ']', ':', '$', '@', '!', '=', '...', '"', '"""', '#', '|', '&', ',', '\\', '1', 'on', 'fragment', '\u00e9', '\u0000'];
const textOps = {
  deleteChar: (s) => { const i = int(s.length); return s.slice(0, i) + s.slice(i + 1); },
  insertToken: (s) => { const i = int(s.length + 1); return s.slice(0, i) + pick(punct) + s.slice(i); },
  truncate: (s) => s.slice(0, int(s.length)),
  swapChars: (s) => { if (s.length < 2) return s; const i = int(s.length - 1); return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); },
  duplicateSpan: (s) => { const i = int(s.length); const j = Math.min(s.length, i + 1 + int(12)); return s.slice(0, j) + s.slice(i, j) + s.slice(j); },
};
const textOpNames = Object.keys(textOps);

const seen = new Set();
const out = [];
for (const { file, source } of readDocuments([positional[1]])) {
  rand = prng(seed ^ [...file].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  let ast = null;
  try {
    ast = parse(source, { noLocation: true });
  } catch {
    // Syntax-error documents only get text edits.
  }
  const base = file.replace(/\.graphql$/, '');
  let produced = 0;
  for (let attempt = 0; produced < perDoc && attempt < perDoc * 4; ++attempt) {
    const ops = [];
    let text;
    if (ast && chance(0.85)) {
      const doc = clone(ast);
      for (let n = 1 + int(3); n > 0; --n) {
        const op = pick(operatorNames);
        if (operators[op](doc, collect(doc))) ops.push(op);
      }
      try {
        text = print(doc);
      } catch {
        continue;
      }
      if (chance(0.2)) {
        const op = pick(textOpNames);
        text = textOps[op](text);
        ops.push(op);
      }
    } else {
      const op = pick(textOpNames);
      text = textOps[op](source);
      ops.push(op);
    }
    if (text === source || seen.has(text)) continue;
    seen.add(text);
    out.push(JSON.stringify({ file: `m/${base}.${produced}`, source: text, ops }));
    ++produced;
  }
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
