// Sessions trust nothing the token says about them: a session belongs to its
// own user, and a WebSocket notices an ended session even when the
// revocation event never reached this instance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessToken } from '../../src/auth/tokens.js';
import { CREATE, codes, registerUser, startTestServer, wsClient, type Account, type TestServer } from '../support/server.js';
import { closeCode, subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;
let mallory: Account;
before(async () => {
  server = await startTestServer({ SESSION_CHECK_TTL: '1s' });
  alice = await registerUser(server, 'alice');
  mallory = await registerUser(server, 'mallory');
});
after(() => server.stop());

const sessionIdOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;

test("a token naming another user with one's own session id is refused, on HTTP and WebSocket", async () => {
  // Someone holding the signing secret (a default one whenever NODE_ENV is unset).
  const forged = await createAccessToken(server.app.services.config.jwt, alice.id, sessionIdOf(mallory.accessToken));
  const me = await server.gql(`{ me { username } }`, {}, forged.token);
  assert.equal(me.data?.me ?? null, null, 'not alice');
  assert.deepEqual(codes(await server.gql(CREATE, { content: 'as alice?' }, forged.token)), ['UNAUTHENTICATED']);
  const client = server.ws(forged.token);
  assert.equal(await closeCode(client), 4401);
  // Mallory's own token still works.
  assert.equal((await server.gql(`{ me { username } }`, {}, mallory.accessToken)).data.me.username, 'mallory');
});

test('a WebSocket whose session ended without an event (Redis away) is closed with 4002 within SESSION_CHECK_TTL', async () => {
  const account = await registerUser(server);
  const client = server.ws(account.accessToken);
  const closed = closeCode(client);
  await subscribe(client, `subscription { messageDeleted }`);
  // The logout reaches the database but no revocation event is published.
  await server.app.services.db.session.updateMany({ where: { userId: account.id }, data: { revokedAt: new Date() } });
  const code = await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 5000))]);
  assert.equal(code, 4002);
});

test('each operation on a WebSocket re-checks the session', async () => {
  const local = await startTestServer({ SESSION_CHECK_TTL: '1s' });
  try {
    const account = await registerUser(local);
    // Not local.ws(): after the close, a new operation makes the client
    // reconnect, which the server refuses (4401), and dispose() reports that.
    const client = wsClient(local.url, account.accessToken);
    const closed = closeCode(client);
    const me = () =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query: `{ me { username } }` }, { next: (result) => resolve(result), error: (error) => resolve(error), complete: () => {} });
      });
    assert.deepEqual(await me(), { data: { me: { username: account.username } } });
    await local.app.services.db.session.updateMany({ where: { userId: account.id }, data: { revokedAt: new Date() } });
    // Past the cache's TTL, the next operation finds the session ended.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const answer = await Promise.race([me(), closed]);
    assert.notDeepEqual(answer, { data: { me: { username: account.username } } }, 'no answer as the logged-out user');
    assert.equal(await closed, 4002);
    await Promise.resolve(client.dispose()).catch(() => {});
  } finally {
    await local.stop();
  }
});
