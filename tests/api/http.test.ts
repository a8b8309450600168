// The HTTP surface: GraphQL over GET/POST, CSRF prevention, CORS, health,
// landing pages, transport errors, and error masking in production.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { CREATE, codes, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';

let server: TestServer;
let account: Account;
before(async () => {
  server = await startTestServer({ BODY_LIMIT: '10kb' });
  account = await registerUser(server);
});
after(() => server.stop());

const base = () => server.url.replace('/graphql', '');

describe('GraphQL over HTTP', () => {
  test('GET runs queries (with a CSRF-safe header) and refuses mutations', async () => {
    const query = encodeURIComponent('{ me { username } }');
    const ok = await fetch(`${server.url}?query=${query}`, {
      headers: { authorization: `Bearer ${account.accessToken}`, 'apollo-require-preflight': 'true' },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { data: { me: { username: account.username } } });

    const mutation = encodeURIComponent('mutation { logout }');
    const refused = await fetch(`${server.url}?query=${mutation}`, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(refused.status, 405);
  });

  test('answers application/graphql-response+json when asked', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.match(response.headers.get('content-type') ?? '', /application\/graphql-response\+json/);
    assert.deepEqual(await response.json(), { data: { me: null } });
  });

  test('CSRF prevention refuses simple cross-site requests', async () => {
    const form = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ me { id } }"}' });
    assert.equal(form.status, 400);
    const simpleGet = await fetch(`${server.url}?query=${encodeURIComponent('{ me { id } }')}`);
    assert.equal(simpleGet.status, 400);
  });

  test('parse and validation errors carry the standard codes', async () => {
    assert.deepEqual(codes(await server.gql('{ me { id ')), ['GRAPHQL_PARSE_FAILED']);
    assert.deepEqual(codes(await server.gql('{ nope }')), ['GRAPHQL_VALIDATION_FAILED']);
    assert.deepEqual(codes(await server.gql('query ($id: ID!) { message(id: $id) { id } }', {}, account.accessToken)), ['BAD_USER_INPUT']);
  });

  test('a body over BODY_LIMIT is 413 and malformed JSON is 400, both as GraphQL-shaped errors', async () => {
    const big = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(20_000)}` }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as any).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
    const broken = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');
  });

  test('a gzip-compressed body is read; a bare JSON value or a non-UTF-8 charset is refused', async () => {
    const compressed = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${account.accessToken}` },
      body: gzipSync(JSON.stringify({ query: '{ me { username } }' })),
    });
    assert.equal(compressed.status, 200);
    assert.deepEqual(await compressed.json(), { data: { me: { username: account.username } } });

    const bomb = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(200_000)}` })),
    });
    assert.equal(bomb.status, 413, 'the limit counts the inflated bytes');
    assert.equal(((await bomb.json()) as any).errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');

    const bare = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"{ me { id } }"' });
    assert.equal(bare.status, 400);
    assert.equal(((await bare.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');

    const latin1 = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.equal(latin1.status, 415);
    assert.equal(((await latin1.json()) as any).errors[0].extensions.code, 'BAD_REQUEST');

    const withCharset = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; Charset="UTF-8"' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.deepEqual(await withCharset.json(), { data: { me: null } });
  });
});

describe('operational endpoints', () => {
  test('/healthz and /readyz', async () => {
    const health = await fetch(`${base()}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${base()}/readyz`);
    assert.equal(ready.status, 200);
  });

  test('/readyz turns 503 as soon as a stop begins, before draining (SHUTDOWN_DELAY)', async () => {
    const local = await startTestServer({ SHUTDOWN_DELAY: '600ms' });
    const readyz = local.url.replace('/graphql', '/readyz');
    assert.deepEqual(await (await fetch(readyz)).json(), { status: 'ready', database: 'up' });
    const stopped = local.stop();
    const during = await fetch(readyz);
    assert.equal(during.status, 503);
    assert.deepEqual(await during.json(), { status: 'stopping', database: 'up' });
    const stillServing = await local.gql('{ me { id } }');
    assert.deepEqual(stillServing, { data: { me: null } }, 'requests are still answered during the delay');
    await stopped;
  });

  test('/ welcomes and points to /graphql; unknown paths are 404', async () => {
    const home = await fetch(`${base()}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /href="\/graphql"/);
    assert.equal((await fetch(`${base()}/nope`)).status, 404);
  });

  test('a browser on /graphql gets Apollo Sandbox in development', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /new window.EmbeddedSandbox/);
  });

  test('responses carry a request id and no framework banner', async () => {
    const response = await fetch(`${base()}/healthz`);
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('x-powered-by'), null);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });
});

describe('CORS', () => {
  test('any origin by default, without credentials', async () => {
    const response = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' } });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
  });

  test('only the listed origins with CORS_ORIGINS', async () => {
    const local = await startTestServer({ CORS_ORIGINS: 'https://app.example,https://admin.example' });
    try {
      const preflight = (origin: string) =>
        fetch(local.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
      const allowed = await preflight('https://admin.example');
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://admin.example');
      const denied = await preflight('https://evil.example');
      assert.equal(denied.headers.get('access-control-allow-origin'), null);

      // The request itself (not only its preflight) carries the origin's answer, each origin its own.
      const post = (origin: string) =>
        fetch(local.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });
      for (const origin of ['https://app.example', 'https://evil.example', 'https://admin.example', 'https://evil.example']) {
        const response = await post(origin);
        assert.equal(response.status, 200);
        const expected = origin.startsWith('https://evil') ? null : origin;
        assert.equal(response.headers.get('access-control-allow-origin'), expected, origin);
        assert.match(response.headers.get('vary') ?? '', /origin/i);
      }
    } finally {
      await local.stop();
    }
  });
});

describe('production mode', () => {
  test('unexpected errors are masked (no stack, no SQL) and carry a request id; introspection is off', async () => {
    const local = await startTestServer({ NODE_ENV: 'production' });
    try {
      const writer = await registerUser(local);
      // Make the database fail the way a real fault would (an operator's mistake).
      await local.database.exec('ALTER TABLE "Message" RENAME TO "MessageGone"');
      const result = await local.gql(CREATE, { content: 'boom' }, writer.accessToken);
      assert.equal(result.errors?.length, 1);
      const [error] = result.errors!;
      assert.equal(error!.message, 'Internal server error');
      assert.equal(error!.extensions?.code, 'INTERNAL_SERVER_ERROR');
      assert.match(error!.extensions?.requestId, /^[0-9a-f-]{36}$/);
      assert.equal(error!.extensions?.stacktrace, undefined);
      assert.doesNotMatch(JSON.stringify(result), /Message.*(exist|table)|INSERT|prisma|sql/i);

      const expected = await local.gql(`mutation { createMessage(input: { content: "" }) { id } }`, {}, writer.accessToken);
      assert.deepEqual(codes(expected), ['BAD_USER_INPUT'], 'expected errors keep their message and code');
      assert.equal(expected.errors![0]!.extensions!.stacktrace, undefined);

      const introspection = await local.gql('{ __schema { queryType { name } } }');
      assert.deepEqual(codes(introspection), ['GRAPHQL_VALIDATION_FAILED']);
      const page = await fetch(local.url, { headers: { accept: 'text/html' } });
      assert.doesNotMatch(await page.text(), /new window.EmbeddedSandbox/, "no Sandbox in production");
    } finally {
      await local.stop();
    }
  });
});
