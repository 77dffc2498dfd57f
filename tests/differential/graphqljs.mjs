// Loads the pinned graphql-js from tools/graphqljs (run tools/graphqljs/ensure.sh first).
// Scripts here live outside that package, so bare `import 'graphql'` would not resolve.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.env.GRAPHQLJS_DIR ?? path.join(here, '..', '..', 'tools', 'graphqljs');
const graphql = await import(pathToFileURL(path.join(dir, 'node_modules', 'graphql', 'index.mjs')).href);

export default graphql;
