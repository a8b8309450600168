// Transport-level controls: headers, error masking, introspection and landing
// page switches, WebSocket payload, init timeout and subscription caps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { codes, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { closeCode, subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;
before(async () => {
  server = await startTestServer({ WS_MAX_PAYLOAD: '16kb', WS_INIT_TIMEOUT: '1s', WS_MAX_SUBSCRIPTIONS: '3' });
  alice = await registerUser(server, 'alice');
});
after(() => server.stop());

describe('HTTP headers', () => {
  test('security headers on API responses; no framework banner', async () => {
    for (const path of ['/healthz', '/graphql?query=%7B__typename%7D', '/']) {
      const response = await fetch(server.url.replace('/graphql', path), { headers: { 'apollo-require-preflight': 'true' } });
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=/, path);
      assert.equal(response.headers.get('x-powered-by'), null, path);
      assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, path);
    }
    const health = await fetch(server.url.replace('/graphql', '/healthz'));
    assert.match(health.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });
});

describe('introspection and landing page switches', () => {
  test('production: introspection off unless GRAPHQL_INTROSPECTION=true; landing page can be turned off', async () => {
    const open = await startTestServer({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', GRAPHQL_LANDING_PAGE: 'off' });
    try {
      const result = await open.gql('{ __schema { queryType { name } } }');
      assert.deepEqual(result.data, { __schema: { queryType: { name: 'Query' } } });
      const page = await fetch(open.url, { headers: { accept: 'text/html' } });
      assert.ok(!(await page.text()).includes('<html'), 'no landing page');
    } finally {
      await open.stop();
    }
    const closed = await startTestServer({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      assert.deepEqual(codes(await closed.gql('{ __schema { queryType { name } } }')), ['GRAPHQL_VALIDATION_FAILED']);
      const account = await registerUser(closed);
      const client = closed.ws(account.accessToken);
      const overWs = await subscribe(client, '{ __schema { queryType { name } } }');
      const errors = (await overWs.failed) as Array<{ extensions?: { code?: string } }>;
      assert.equal(errors[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', 'introspection off on WebSocket too');
    } finally {
      await closed.stop();
    }
  });

  test('production hides field suggestions that would reveal the schema', async () => {
    const local = await startTestServer({ NODE_ENV: 'production' });
    try {
      const result = await local.gql('{ mee { id } }');
      assert.doesNotMatch(result.errors![0]!.message, /Did you mean/);
    } finally {
      await local.stop();
    }
  });
});

describe('WebSocket limits', () => {
  test('a message over WS_MAX_PAYLOAD closes the socket (1009); the server stays up', async () => {
    const client = server.ws(alice.accessToken);
    const closed = closeCode(client);
    client.subscribe({ query: `{ me { id } } # ${'x'.repeat(20_000)}` }, { next: () => {}, error: () => {}, complete: () => {} });
    assert.equal(await closed, 1009);
    assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
  });

  test('a socket that never sends connection_init is closed after WS_INIT_TIMEOUT (4408)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    assert.equal(code, 4408);
  });

  test('at most WS_MAX_SUBSCRIPTIONS subscriptions per connection', async () => {
    const client = server.ws(alice.accessToken);
    for (let i = 0; i < 3; i++) await subscribe(client, `subscription { messageDeleted }`);
    const fourth = await subscribe(client, `subscription { messageDeleted }`);
    const errors = (await fourth.failed) as Array<{ message: string; extensions?: { code?: string } }>;
    assert.equal(errors[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(errors[0]!.message, /at most 3 subscriptions/i);
  });
});
