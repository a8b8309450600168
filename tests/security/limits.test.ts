// Hostile operation shapes are refused before execution, on HTTP and on
// WebSocket alike, quickly, and the server keeps serving everyone else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CREATE, codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;

before(async () => {
  // A body limit large enough to let the token limit itself be reached.
  server = await startTestServer({ BODY_LIMIT: '2mb', WS_MAX_PAYLOAD: '2mb' });
  alice = await registerUser(server, 'alice');
  await createMessage(server, alice, 'hello');
});
after(() => server.stop());

function nested(levels: number): string {
  let selection = 'id';
  for (let i = 0; i < levels; i++) selection = `messages(first: 2) { edges { node { author { ${selection} } } } }`;
  return `{ me { ${selection} } }`;
}

/** Each hostile document, and the limit that must refuse it (as the error says). */
const hostile: Record<string, [query: string, refusedBy: RegExp]> = {
  '15 levels of messages -> author -> messages': [nested(15), /depth limit of 10/i],
  '1,000 aliases': [`{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, /more that 2000 tokens|aliases limit/i],
  '100 aliases (under the token limit)': [`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, /aliases limit of 15/i],
  '100k tokens': [`{ me { ${'id '.repeat(100_000)}} }`, /more that 2000 tokens/],
  '50 directives': [`{ me { id ${'@include(if: true) '.repeat(50)}} }`, /directives limit of 20/i],
  'a very wide, costly selection': [
    `{ ${Array.from({ length: 14 }, (_, i) => `m${i}: messages(first: 100) { edges { node { id content createdAt updatedAt edited author { id username createdAt } } } }`).join(' ')} }`,
    /cost limit of 20000/i,
  ],
};

/** Too many tokens stops the parser; the other limits are validation rules. */
const allowedCodes = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'];

/** What a legitimate client sends (README examples). */
const legitimate = [
  `query Page($after: String) { messages(first: 10, after: $after) { totalCount edges { cursor node { id content author { username } } } pageInfo { hasNextPage endCursor } } }`,
  `{ messagesByUser(username: "alice", first: 5) { totalCount edges { node { id content edited } } } }`,
  `{ messages(first: 20) { edges { node { author { username messages(first: 3) { totalCount edges { node { id author { username } } } } } } } } }`,
];

async function stillHealthy() {
  assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
  const page = await server.gql(`{ messages(first: 100) { totalCount } }`, {}, alice.accessToken);
  return page.data.messages.totalCount as number;
}

describe('HTTP', () => {
  for (const [name, [query, refusedBy]] of Object.entries(hostile)) {
    test(`refuses ${name} before execution`, async () => {
      const before = await stillHealthy();
      server.resetQueries();
      const started = performance.now();
      const result = await server.gql(query, {}, alice.accessToken);
      const elapsed = performance.now() - started;
      assert.equal(result.data, undefined, 'nothing executed');
      assert.ok(codes(result).every((code) => allowedCodes.includes(code)), JSON.stringify(codes(result)));
      assert.ok(result.errors!.some((error) => refusedBy.test(error.message)), JSON.stringify(result.errors!.map((e) => e.message)));
      assert.deepEqual(server.queries, [], 'no SQL ran');
      assert.ok(elapsed < 2000, `answered in ${elapsed.toFixed(0)} ms`);
      assert.equal(await stillHealthy(), before, 'no data changed');
    });
  }

  test('the README\'s queries pass the limits', async () => {
    for (const query of legitimate) {
      const result = await server.gql(query, {}, alice.accessToken);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    }
  });

  test('a body over BODY_LIMIT (default 100 kB) is 413 before parsing', async () => {
    const local = await startTestServer();
    try {
      const response = await fetch(local.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: hostile['100k tokens']![0] }),
      });
      assert.equal(response.status, 413);
    } finally {
      await local.stop();
    }
  });

  test('nested User.messages is bounded like every list', async () => {
    const result = await server.gql(`{ me { messages(first: 1000) { totalCount } } }`, {}, alice.accessToken);
    assert.deepEqual(codes(result), ['BAD_USER_INPUT']);
  });

  test('the limits are configurable', async () => {
    const strict = await startTestServer({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '1' });
    try {
      const account = await registerUser(strict);
      assert.deepEqual(codes(await strict.gql(`{ me { messages { edges { node { id } } } } }`, {}, account.accessToken)), ['GRAPHQL_VALIDATION_FAILED']);
      assert.deepEqual(codes(await strict.gql(`{ a: me { id } b: me { id } }`, {}, account.accessToken)), ['GRAPHQL_VALIDATION_FAILED']);
      assert.equal((await strict.gql(`{ me { id } }`, {}, account.accessToken)).errors, undefined);
    } finally {
      await strict.stop();
    }
  });
});

describe('WebSocket', () => {
  for (const [name, [query, refusedBy]] of Object.entries(hostile)) {
    test(`refuses ${name}`, async () => {
      const client = server.ws(alice.accessToken);
      const subscription = await subscribe(client, query);
      const errors = (await subscription.failed) as Array<{ message: string; extensions?: { code?: string } }>;
      assert.ok(Array.isArray(errors), `refused with GraphQL errors: ${String(errors)}`);
      assert.ok(errors.every((error) => allowedCodes.includes(error.extensions?.code ?? '')));
      assert.ok(errors.some((error) => refusedBy.test(error.message)), JSON.stringify(errors.map((e) => e.message)));
      await client.dispose();
      await stillHealthy();
    });
  }

  test('a legitimate subscription and query still work on the same server', async () => {
    const client = server.ws(alice.accessToken);
    const created = await subscribe(client, `subscription { messageCreated { content } }`);
    await server.gql(CREATE, { content: 'still here' }, alice.accessToken);
    assert.equal((await created.next()).messageCreated.content, 'still here');
    await client.dispose();
  });
});
