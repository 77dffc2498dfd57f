// Runs a query, a mutation and an invalid query over graphql-transport-ws with the
// graphql-ws client library, and prints what each one received as one JSON object.
//   node client.mjs PORT
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const port = process.argv[2];
const client = createClient({
  url: `ws://127.0.0.1:${port}/graphql`,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
});

// Resolves with every `next` payload, or with the error the client reported.
function run(query) {
  return new Promise((resolve) => {
    const results = [];
    client.subscribe(
      { query },
      {
        next: (value) => results.push(value),
        error: (error) => resolve({ results, error: Array.isArray(error) ? error : String(error) }),
        complete: () => resolve({ results }),
      },
    );
  });
}

const out = {
  query: await run('{ __typename }'),
  mutation: await run('mutation { __typename }'),
  invalid: await run('{ nope }'),
};
await client.dispose();
process.stdout.write(JSON.stringify(out) + '\n');
