// graphql-js on the same documents and with the same method as graphql_bench: median
// over repeated batches of the mean µs per operation, after an untimed warm-up that lets
// the JIT compile the hot paths. Prints the same JSON lines.
// Usage: node graphqljs_bench.mjs SCHEMA.graphql DOC.graphql... [--batch-ms N] [--repeats N]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// graphql-js's production mode: without it every instanceof check also compares type
// names to catch duplicate module copies, which is a development aid and roughly doubles
// validation time.
process.env.NODE_ENV ??= 'production';

const here = path.dirname(fileURLToPath(import.meta.url));
const gjsDir = process.env.GRAPHQLJS_DIR ?? path.join(here, '..', '..', 'tools', 'graphqljs');
const { buildSchema, parse, validate } = await import(pathToFileURL(path.join(gjsDir, 'node_modules', 'graphql', 'index.mjs')).href);

let batchMs = 50;
let repeats = 9;
const paths = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  if (argv[i] === '--batch-ms') batchMs = Number(argv[++i]);
  else if (argv[i] === '--repeats') repeats = Math.max(1, Number(argv[++i]));
  else paths.push(argv[i]);
}
if (paths.length < 2) {
  console.error('usage: graphqljs_bench.mjs SCHEMA DOC... [--batch-ms N] [--repeats N]');
  process.exit(2);
}

const schema = buildSchema(fs.readFileSync(paths[0], 'utf8'));
let sink = 0;

function measure(op) {
  const time = (n) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; ++i) sink += op();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  // Warm-up: a few thousand runs so the optimising compiler has kicked in.
  const warmEnd = Date.now() + 4 * batchMs;
  while (Date.now() < warmEnd) time(100);
  let n = 1;
  for (;;) {
    const ms = time(n);
    if (ms >= batchMs || n >= 2 ** 30) break;
    n *= ms < batchMs / 8 ? 8 : 2;
  }
  const perOp = [];
  for (let r = 0; r < repeats; ++r) perOp.push((time(n) * 1000) / n);
  perOp.sort((a, b) => a - b);
  return { median: perOp[perOp.length >> 1], min: perOp[0] };
}

const fmt = (x) => Math.round(x * 1000) / 1000;
for (const file of paths.slice(1)) {
  const source = fs.readFileSync(file, 'utf8');
  const document = parse(source);
  const errors = validate(schema, document);
  for (const e of errors) console.error(`${file}: ${e.message}`);
  const p = measure(() => parse(source).definitions.length);
  const v = measure(() => validate(schema, document).length);
  const b = measure(() => validate(schema, parse(source)).length);
  console.log(JSON.stringify({
    doc: path.basename(file),
    bytes: Buffer.byteLength(source),
    errors: errors.length,
    parse_us: fmt(p.median), parse_min_us: fmt(p.min),
    validate_us: fmt(v.median), validate_min_us: fmt(v.min),
    both_us: fmt(b.median), both_min_us: fmt(b.min),
  }));
}
if (sink === -1) console.error('unreachable');
