// A small request never makes the server build a huge answer: the cost limit
// counts the real variable values, error answers stay small whatever was
// sent, and deeply nested JSON is refused before it is parsed. Both
// transports.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { CREATE, codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;
before(async () => {
  server = await startTestServer();
  alice = await registerUser(server, 'alice');
  await createMessage(server, alice, 'hello');
});
after(() => server.stop());

/** The reviewer's 716-byte request: 7 aliased pages, each author's page nested, all sized by `$n`. */
const PAGE_BY_VARIABLE = `query ($n: Int) { ${Array.from(
  { length: 7 },
  (_, i) => `a${i}: messages(first: $n) { edges { node { id content author { messages(first: $n) { edges { node { id content } } } } } } }`,
).join(' ')} }`;

const ERROR_ANSWER_MAX_BYTES = 16 * 1024;

async function post(body: string, token = alice.accessToken) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('cost counts the variables', () => {
  test('first: $n with n = 100 is refused like first: 100, before any SQL', async () => {
    server.resetQueries();
    const byVariable = await post(JSON.stringify({ query: PAGE_BY_VARIABLE, variables: { n: 100 } }));
    assert.equal(byVariable.status, 400);
    assert.equal(byVariable.body.data, undefined);
    assert.deepEqual(codes(byVariable.body), ['GRAPHQL_VALIDATION_FAILED']);
    assert.match(byVariable.body.errors![0]!.message, /cost limit of 20000/i);
    assert.deepEqual(server.queries, [], 'no SQL ran');
    const byLiteral = await post(JSON.stringify({ query: PAGE_BY_VARIABLE.replace('($n: Int) ', '').replaceAll('$n', '100'), variables: {} }));
    assert.deepEqual(codes(byLiteral.body), ['GRAPHQL_VALIDATION_FAILED']);
  });

  test('a variable left out counts as its default, and an argument left out as the schema default (20)', async () => {
    const withDefault = PAGE_BY_VARIABLE.replace('($n: Int)', '($n: Int = 100)');
    assert.deepEqual(codes((await post(JSON.stringify({ query: withDefault }))).body), ['GRAPHQL_VALIDATION_FAILED']);
    const noFirst = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: messages { edges { node { id content author { messages { edges { node { id content } } } } } } }`).join(' ')} }`;
    assert.deepEqual(codes((await post(JSON.stringify({ query: noFirst }))).body), ['GRAPHQL_VALIDATION_FAILED']);
  });

  test('small variable pages still run', async () => {
    const small = await post(JSON.stringify({ query: PAGE_BY_VARIABLE, variables: { n: 2 } }));
    assert.equal(small.body.errors, undefined, JSON.stringify(small.body.errors));
    assert.ok((small.body.data as Record<string, unknown>).a0);
  });

  test('GRAPHQL_MAX_NODES bounds the list items one operation may return', async () => {
    const local = await startTestServer({ GRAPHQL_MAX_NODES: '150', GRAPHQL_MAX_COST: '1000000' });
    try {
      const account = await registerUser(local);
      const query = `query ($n: Int) { messages(first: $n) { edges { node { author { messages(first: $n) { edges { node { id } } } } } } } }`;
      // 10 + 10 x 10 = 110 items: allowed; 20 + 20 x 20 = 420: refused.
      assert.equal((await local.gql(query, { n: 10 }, account.accessToken)).errors, undefined);
      const refused = await local.gql(query, { n: 20 }, account.accessToken);
      assert.deepEqual(codes(refused), ['GRAPHQL_VALIDATION_FAILED']);
      assert.match(refused.errors![0]!.message, /420 list items, over the limit of 150/);
    } finally {
      await local.stop();
    }
  });

  test('over WebSocket too', async () => {
    const client = server.ws(alice.accessToken);
    const refused = await subscribe(client, PAGE_BY_VARIABLE, { n: 100 });
    const errors = (await refused.failed) as Array<{ message: string; extensions?: { code?: string } }>;
    assert.equal(errors[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(errors[0]!.message, /cost limit of 20000/i);
  });
});

describe('error answers stay small', () => {
  /** An input object with 3,000 unknown fields: about 89 kB. */
  const manyUnknownFields = () => ({ content: 'x', ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field_${i}_${'y'.repeat(12)}`, i])) });
  const CREATE_BY_INPUT = `mutation ($input: CreateMessageInput!) { createMessage(input: $input) { id } }`;

  test('an input with thousands of unknown fields answers one short BAD_USER_INPUT, nothing stored', async () => {
    const body = JSON.stringify({ query: CREATE_BY_INPUT, variables: { input: manyUnknownFields() } });
    assert.ok(body.length > 80_000, `${body.length} bytes sent`);
    server.resetQueries();
    const answer = await post(body);
    assert.equal(answer.status, 400);
    assert.deepEqual(codes(answer.body), ['BAD_USER_INPUT']);
    assert.match(answer.body.errors![0]!.message, /is not defined by type "CreateMessageInput"/);
    assert.ok(answer.bytes < ERROR_ANSWER_MAX_BYTES, `${answer.bytes} bytes answered`);
    assert.ok(!server.queries.some((sql) => /INSERT/i.test(sql)), 'nothing stored');
  });

  test('a huge wrongly typed value is quoted as a short excerpt', async () => {
    const answer = await post(JSON.stringify({ query: CREATE, variables: { content: { blob: 'z'.repeat(90_000) } } }));
    assert.deepEqual(codes(answer.body), ['BAD_USER_INPUT']);
    assert.ok(answer.bytes < 2_000, `${answer.bytes} bytes answered`);
  });

  test('hundreds of validation errors are cut to a few', async () => {
    const query = `{ me { ${Array.from({ length: 400 }, (_, i) => `f${i}`).join(' ')} } }`;
    const answer = await post(JSON.stringify({ query }));
    assert.equal(answer.status, 400);
    assert.ok(answer.body.errors!.length <= 10, `${answer.body.errors!.length} errors`);
    assert.ok(answer.bytes < ERROR_ANSWER_MAX_BYTES, `${answer.bytes} bytes answered`);
  });

  test('over WebSocket a coercion failure is BAD_USER_INPUT, small, not an internal error', async () => {
    const client = server.ws(alice.accessToken);
    for (const variables of [{ input: manyUnknownFields() }, { input: { content: 42 } }]) {
      const errors = await new Promise<Array<{ message: string; extensions?: { code?: string } }>>((resolve) => {
        client.subscribe(
          { query: CREATE_BY_INPUT, variables },
          { next: (result) => resolve((result.errors ?? []) as never), error: (error) => resolve(error as never), complete: () => {} },
        );
      });
      const received = JSON.stringify(errors);
      assert.equal(errors[0]?.extensions?.code, 'BAD_USER_INPUT', received.slice(0, 300));
      assert.ok(Buffer.byteLength(received) < ERROR_ANSWER_MAX_BYTES, `${received.length} bytes`);
    }
  });
});

describe('deeply nested JSON', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  test('an HTTP body nested deeper than JSON_MAX_DEPTH (64) is refused with 400 BAD_REQUEST', async () => {
    const body = `{"query":"query ($x: String) { me { id } }","variables":{"x":${nested(45_000)}}}`;
    const answer = await post(body);
    assert.equal(answer.status, 400);
    assert.deepEqual(codes(answer.body), ['BAD_REQUEST']);
    assert.match(answer.body.errors![0]!.message, /nested deeper than 64/);
    // Brackets inside strings are text, not nesting.
    const inString = await post(JSON.stringify({ query: CREATE, variables: { content: `${'['.repeat(3000)} brackets in text` } }));
    assert.equal(inString.body.errors, undefined, JSON.stringify(inString.body.errors));
  });

  test('JSON_MAX_DEPTH is configurable', async () => {
    const local = await startTestServer({ JSON_MAX_DEPTH: '10' });
    try {
      const response = await fetch(local.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"query":"{ __typename }","variables":{"x":${nested(12)}}}`,
      });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /nested deeper than 10/);
    } finally {
      await local.stop();
    }
  });

  test('a WebSocket message nested too deeply closes the socket with 4400', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(`{"type":"connection_init","payload":{"x":${nested(45_000)}}}`);
    assert.equal(await closed, 4400);
    assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
  });
});

test('a nested page over more than 500 distinct authors answers (SQLite compound-select limit)', async () => {
  const local = await startTestServer({ GRAPHQL_MAX_COST: '1000000' });
  try {
    const viewer = await registerUser(local);
    const { db } = local.app.services;
    const now = Date.now();
    const authors = Array.from({ length: 600 }, (_, i) => ({ id: randomUUID(), username: `author_${i}`, usernameKey: `author_${i}`, passwordHash: 'x', createdAt: new Date(now) }));
    await db.user.createMany({ data: authors });
    await db.message.createMany({
      data: authors.map((author, i) => ({ id: randomUUID(), authorId: author.id, content: `by ${i}`, createdAt: new Date(now + i), updatedAt: new Date(now + i) })),
    });
    const firstPage = await local.gql(`{ messages(first: 100) { pageInfo { endCursor } } }`, {}, viewer.accessToken);
    const cursors: Array<string | null> = [null];
    let after = firstPage.data.messages.pageInfo.endCursor as string;
    for (let i = 1; i < 6; i++) {
      cursors.push(after);
      after = (await local.gql(`query ($a: String) { messages(first: 100, after: $a) { pageInfo { endCursor } } }`, { a: after }, viewer.accessToken)).data.messages.pageInfo.endCursor;
    }
    const pages = cursors.map((cursor, i) => `p${i}: messages(first: 100${cursor ? `, after: "${cursor}"` : ''}) { edges { node { author { messages(first: 1) { edges { node { content } } } } } } }`);
    const result = await local.gql(`{ ${pages.join(' ')} }`, {}, viewer.accessToken);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const contents = Object.values(result.data as Record<string, { edges: Array<{ node: { author: { messages: { edges: Array<{ node: { content: string } }> } } } }> }>)
      .flatMap((page) => page.edges.map((edge) => edge.node.author.messages.edges[0]!.node.content));
    assert.equal(new Set(contents).size, 600, 'every author answered with their own message');
  } finally {
    await local.stop();
  }
});
