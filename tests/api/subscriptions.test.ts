// Real-time events over graphql-ws on the same port as HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { closeCode, subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;
let bob: Account;

before(async () => {
  server = await startTestServer();
  alice = await registerUser(server, 'alice');
  bob = await registerUser(server, 'bob');
});
after(() => server.stop());

const CREATED = `subscription ($u: String) { messageCreated(username: $u) { id content edited author { id username } createdAt } }`;
const UPDATED = `subscription { messageUpdated { id content edited updatedAt author { username } } }`;
const DELETED = `subscription { messageDeleted }`;

describe('events', () => {
  test('messageCreated, messageUpdated and messageDeleted deliver what HTTP mutations did', async () => {
    const client = server.ws(bob.accessToken);
    const created = await subscribe(client, CREATED);
    const updated = await subscribe(client, UPDATED);
    const deleted = await subscribe(client, DELETED);

    const message = await createMessage(server, alice, 'live!');
    const createdEvent = await created.next();
    assert.deepEqual(createdEvent.messageCreated, {
      id: message.id,
      content: 'live!',
      edited: false,
      author: { id: alice.id, username: 'alice' },
      createdAt: message.createdAt,
    });

    await server.gql(`mutation ($id: ID!) { updateMessage(id: $id, input: { content: "edited live" }) { id } }`, { id: message.id }, alice.accessToken);
    const updatedEvent = await updated.next();
    assert.equal(updatedEvent.messageUpdated.id, message.id);
    assert.equal(updatedEvent.messageUpdated.content, 'edited live');
    assert.equal(updatedEvent.messageUpdated.edited, true);

    await server.gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: message.id }, alice.accessToken);
    assert.deepEqual(await deleted.next(), { messageDeleted: message.id });
  });

  test('an event is published after the write: the subscriber can read the message back', async () => {
    const client = server.ws(bob.accessToken);
    const created = await subscribe(client, CREATED);
    await createMessage(server, alice, 'readable at once');
    const event = await created.next();
    const read = await server.gql(`query ($id: ID!) { message(id: $id) { content } }`, { id: event.messageCreated.id }, bob.accessToken);
    assert.equal(read.data.message.content, 'readable at once');
  });

  test('messageCreated(username) only delivers that author, case-insensitively', async () => {
    const client = server.ws(bob.accessToken);
    const onlyAlice = await subscribe(client, CREATED, { u: 'ALICE' });
    await createMessage(server, bob, 'from bob');
    await createMessage(server, alice, 'from alice');
    const event = await onlyAlice.next();
    assert.equal(event.messageCreated.content, 'from alice');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(onlyAlice.pending, [], 'nothing from bob');
  });
});

describe('authentication', () => {
  test('a subscription without a token is refused with UNAUTHENTICATED', async () => {
    const client = server.ws(undefined);
    const anonymous = await subscribe(client, CREATED);
    const errors = (await anonymous.failed) as Array<{ extensions?: { code?: string } }>;
    assert.deepEqual(codes({ errors } as never), ['UNAUTHENTICATED']);
  });

  test('an invalid token closes the socket with 4401', async () => {
    const client = server.ws('not-a-token', { lazy: false });
    assert.equal(await closeCode(client), 4401);
  });

  test('the socket closes with 4001 when its access token expires', async () => {
    const local = await startTestServer({ ACCESS_TOKEN_TTL: '2s' });
    try {
      const account = await registerUser(local);
      const client = local.ws(account.accessToken);
      const closed = closeCode(client);
      const started = Date.now();
      await subscribe(client, CREATED);
      assert.equal(await closed, 4001);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await local.stop();
    }
  });

  test('logout closes the session\'s sockets with 4002; a client reconnects with a fresh token', async () => {
    const account = await registerUser(server);
    let token = account.accessToken;
    // Like an app: on 4002 it gets a new token (here: logs in again), then reconnects.
    let freshToken!: () => void;
    const tokenRenewed = new Promise<void>((resolve) => (freshToken = resolve));
    const client = server.ws(() => token, { retryAttempts: 3, retryWait: () => tokenRenewed });
    const closed = closeCode(client);
    const created = await subscribe(client, CREATED);
    await server.gql(`mutation ($t: String) { logout(refreshToken: $t) }`, { t: account.refreshToken });
    assert.equal(await closed, 4002);

    // graphql-ws retries 4002 by itself, asking connectionParams for a token again.
    const relogin = await server.gql(`mutation ($u: String!) { login(input: { username: $u, password: "correct horse battery" }) { accessToken } }`, { u: account.username });
    token = relogin.data.login.accessToken;
    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    freshToken();
    await reconnected;
    await new Promise((resolve) => setTimeout(resolve, 150));
    await createMessage(server, alice, 'after reconnect');
    const event = await created.next();
    assert.equal(event.messageCreated.content, 'after reconnect');
  });
});
