// Several stateless instances on one PostgreSQL, sharing events and limits
// through Redis; and what happens when Redis goes away and comes back.
// Runs in the PostgreSQL pass of `npm test` (REQUIRE_REDIS=1 in CI).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CREATE, REGISTER, codes, postGraphQL, startTestServer, wsClient, type GraphQLResponse } from '../support/server.js';
import { freePort, spawnServer, type ServerProcess } from '../support/process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { PrivateRedis, TEST_REDIS_URL, skipWithoutRedis, uniquePrefix } from '../support/redis.js';
import { closeCode, subscribe } from '../support/subscriptions.js';

const skip = await skipWithoutRedis();

const LOGIN = `mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken refreshToken } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const PASSWORD = 'scale out password';

describe('two instances on PostgreSQL + Redis', { skip }, () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const token = { a: '', b: '' };

  before(async () => {
    database = await createTestDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), RATE_LIMIT_LOGIN_PER_USERNAME: '4' };
    // Both start at once on an empty database: the migration lock decides.
    [a, b] = await Promise.all([spawnServer(database.url, env), spawnServer(database.url, env)]);
    token.a = (await postGraphQL(a.url, REGISTER, { input: { username: 'ann', password: PASSWORD } })).data.register.accessToken;
    token.b = (await postGraphQL(b.url, REGISTER, { input: { username: 'ben', password: PASSWORD } })).data.register.accessToken;
  });

  after(async () => {
    for (const server of [a, b]) server?.child.kill('SIGTERM');
    const exits = await Promise.all([a, b].map((server) => server?.exited));
    await database.drop();
    assert.deepEqual(exits.map((exit) => exit?.code), [0, 0], 'both instances stop cleanly');
  });

  test('started concurrently on an empty database: migrations ran exactly once', () => {
    const applied = [a, b].filter((server) => server.output().includes('applied database migrations'));
    assert.equal(applied.length, 1);
  });

  test('a message created on one instance is read on the other', async () => {
    const created = await postGraphQL(a.url, CREATE, { content: 'written on A' }, token.a);
    const read = await postGraphQL(b.url, `query ($id: ID!) { message(id: $id) { content author { username } } }`, { id: created.data.createMessage.id }, token.b);
    assert.deepEqual(read.data.message, { content: 'written on A', author: { username: 'ann' } });
  });

  test("another instance's first page shows a write once its event arrives", async () => {
    const firstIds = async () => (await postGraphQL(b.url, `{ messages(first: 5) { edges { node { id } } } }`, {}, token.b)).data.messages.edges.map((e: { node: { id: string } }) => e.node.id);
    await firstIds(); // B now holds the first page in memory
    const created = (await postGraphQL(a.url, CREATE, { content: 'written on A, read on B' }, token.a)).data.createMessage;
    const deadline = Date.now() + 2000;
    let ids = await firstIds();
    while (!ids.includes(created.id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ids = await firstIds();
    }
    assert.equal(ids[0], created.id, 'seen on B within the event delivery time');
  });

  test('a subscription on one instance receives creates, updates and deletes made on the other', async () => {
    const client = wsClient(a.url, token.a);
    try {
      const created = await subscribe(client, `subscription { messageCreated(username: "ben") { id content } }`);
      const updated = await subscribe(client, `subscription { messageUpdated { id content edited } }`);
      const deleted = await subscribe(client, `subscription { messageDeleted }`);
      const message = (await postGraphQL(b.url, CREATE, { content: 'from B' }, token.b)).data.createMessage;
      assert.deepEqual((await created.next()).messageCreated, { id: message.id, content: 'from B' });
      await postGraphQL(b.url, `mutation ($id: ID!) { updateMessage(id: $id, input: { content: "edited on B" }) { id } }`, { id: message.id }, token.b);
      assert.deepEqual((await updated.next()).messageUpdated, { id: message.id, content: 'edited on B', edited: true });
      await postGraphQL(b.url, `mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: message.id }, token.b);
      assert.deepEqual(await deleted.next(), { messageDeleted: message.id });
    } finally {
      await client.dispose();
    }
  });

  test('a refresh token rotated on one instance is refused on the other (and that reuse ends the session)', async () => {
    const login = (await postGraphQL(a.url, LOGIN, { u: 'ann', p: PASSWORD })).data.login;
    const rotated = (await postGraphQL(a.url, REFRESH, { t: login.refreshToken })).data.refreshToken;
    const again = (await postGraphQL(a.url, REFRESH, { t: rotated.refreshToken })).data.refreshToken;
    assert.deepEqual(codes(await postGraphQL(b.url, REFRESH, { t: login.refreshToken })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await postGraphQL(b.url, REFRESH, { t: again.refreshToken })), ['UNAUTHENTICATED']);
  });

  test('logout on one instance closes the session\'s sockets and ends its access tokens on the other', async () => {
    const login = (await postGraphQL(a.url, LOGIN, { u: 'ben', p: PASSWORD })).data.login;
    const client = wsClient(a.url, login.accessToken);
    try {
      const closed = closeCode(client);
      await subscribe(client, `subscription { messageDeleted }`);
      // Seen active on A first, so A has it cached when the logout happens on B.
      assert.equal((await postGraphQL(a.url, `{ me { username } }`, {}, login.accessToken)).data.me.username, 'ben');
      await postGraphQL(b.url, `mutation ($t: String) { logout(refreshToken: $t) }`, { t: login.refreshToken });
      assert.equal(await closed, 4002);
      assert.equal((await postGraphQL(a.url, `{ me { username } }`, {}, login.accessToken)).data.me, null, 'its access token fails on A too');
    } finally {
      await client.dispose();
    }
  });

  test('login attempts are counted across instances', async () => {
    const attempt = (url: string) => postGraphQL(url, LOGIN, { u: 'ann', p: 'wrong password' });
    const answers: GraphQLResponse[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url]) answers.push(await attempt(url));
    assert.deepEqual(answers.map((answer) => codes(answer)[0]), ['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    assert.deepEqual(codes(await attempt(b.url)), ['RATE_LIMITED']);
  });
});

describe('when Redis goes away', { skip }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = await PrivateRedis.start();
  });
  after(() => redis.stop());

  test('a server starts without Redis, serves HTTP, says degraded, and stops cleanly', async () => {
    const nowhere = await freePort();
    const database = await createTestDatabase();
    try {
      const server = await spawnServer(database.url, { REDIS_URL: `redis://127.0.0.1:${nowhere}`, REDIS_PREFIX: uniquePrefix() });
      const registered = await postGraphQL(server.url, REGISTER, { input: { username: 'early', password: PASSWORD } });
      assert.ok(registered.data?.register.accessToken);
      const ready = await fetch(`${server.base}/readyz`);
      assert.deepEqual([ready.status, await ready.json()], [200, { status: 'degraded', database: 'up', redis: 'down' }]);
      server.child.kill('SIGTERM');
      assert.equal((await server.exited).code, 0, server.output());
    } finally {
      await database.drop();
    }
  });

  test('HTTP keeps working, /readyz says degraded, and subscriptions resume when Redis returns', async () => {
    const server = await startTestServer({ REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix() });
    const readyz = server.url.replace('/graphql', '/readyz');
    try {
      const account = (await server.gql(REGISTER, { input: { username: 'steady', password: PASSWORD } })).data.register;
      const client = server.ws(account.accessToken);
      const created = await subscribe(client, `subscription { messageCreated { content } }`);
      await server.gql(CREATE, { content: 'before the outage' }, account.accessToken);
      assert.equal((await created.next()).messageCreated.content, 'before the outage');

      await redis.stop();
      const during = await server.gql(CREATE, { content: 'during the outage' }, account.accessToken);
      assert.equal(during.data?.createMessage.content, 'during the outage', 'writes still succeed');
      assert.ok((await server.gql(LOGIN, { u: 'steady', p: PASSWORD })).data?.login, 'login works (limits fall back to memory)');
      const degraded = await fetch(readyz);
      assert.equal(degraded.status, 200);
      assert.deepEqual(await degraded.json(), { status: 'degraded', database: 'up', redis: 'down' });

      await redis.restart();
      for (let i = 0; i < 50 && ((await (await fetch(readyz)).json()) as { redis?: string }).redis !== 'up'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await (await fetch(readyz)).json(), { status: 'ready', database: 'up', redis: 'up' });
      await new Promise((resolve) => setTimeout(resolve, 200)); // ioredis re-subscribes after "ready"
      await server.gql(CREATE, { content: 'after the outage' }, account.accessToken);
      assert.equal((await created.next(5000)).messageCreated.content, 'after the outage');
      assert.deepEqual(created.pending, [], 'the event written during the outage was not delivered late or twice');
    } finally {
      await server.stop();
    }
  });
});
