// Slow and idle clients cannot hold the server's sockets: HTTP header, request
// and idle deadlines; WebSocket connections capped per address and per user;
// anonymous sockets closed when idle. Plus the small transport holes: the
// subscription cap's off-by-one, suggestions over WebSocket in production,
// and IPv6 clients counted per /64.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { REGISTER, codes, type GraphQLResponse, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { closeCode, subscribe } from '../support/subscriptions.js';

let server: TestServer;
let alice: Account;
before(async () => {
  server = await startTestServer({
    HTTP_HEADERS_TIMEOUT: '1s',
    HTTP_REQUEST_TIMEOUT: '2s',
    WS_MAX_CONNECTIONS_PER_IP: '6',
    WS_MAX_CONNECTIONS_PER_USER: '2',
    WS_ANONYMOUS_IDLE_TIMEOUT: '1s',
    WS_MAX_SUBSCRIPTIONS: '3',
  });
  alice = await registerUser(server, 'alice');
});
after(() => server.stop());

/** Opens a raw TCP connection, sends `head`, then one byte every `everyMs`; resolves with the seconds until the server hangs up. */
function trickle(head: string, everyMs: number, limitMs: number): Promise<number> {
  const { port } = server.app;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => socket.writable && socket.write('x'), everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still connected after ${limitMs} ms`));
    }, limitMs);
    socket.on('data', () => {}); // a 408 may come before the close
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve((performance.now() - started) / 1000);
    });
  });
}

describe('HTTP deadlines', () => {
  test('a body sent at one byte per 100 ms is cut at HTTP_REQUEST_TIMEOUT', async () => {
    const head = 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const seconds = await trickle(head, 100, 10_000);
    assert.ok(seconds >= 1.5 && seconds < 5, `cut after ${seconds.toFixed(1)} s`);
  });

  test('headers sent at one byte per 100 ms are cut at HTTP_HEADERS_TIMEOUT', async () => {
    const seconds = await trickle('POST /graphql HTTP/1.1\r\nX-Slow: ', 100, 10_000);
    assert.ok(seconds < 4, `cut after ${seconds.toFixed(1)} s`);
  });
});

const openSocket = (token?: string) => {
  const client = server.ws(token);
  return { client, closed: closeCode(client) };
};
const stillOpen = async (closed: Promise<number>, ms: number) =>
  (await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('open'), ms))])) === 'open';

describe('WebSocket connection caps', () => {
  test('at most WS_MAX_CONNECTIONS_PER_USER sockets per user (4429 beyond); other users unaffected', async () => {
    const bob = await registerUser(server, 'bob');
    const first = openSocket(bob.accessToken);
    const second = openSocket(bob.accessToken);
    await subscribe(first.client, `subscription { messageDeleted }`);
    await subscribe(second.client, `subscription { messageDeleted }`);
    const third = openSocket(bob.accessToken);
    assert.equal(await third.closed, 4429);
    assert.ok(await stillOpen(first.closed, 300), 'the first two stay open');
    const carol = await registerUser(server, 'carol');
    const other = openSocket(carol.accessToken);
    assert.ok(await stillOpen(other.closed, 300));
    for (const socket of [first, second, other]) await socket.client.dispose();
  });

  test('a socket that drops while its token is being checked holds no place under the per-user cap', async () => {
    const dana = await registerUser(server, 'dana');
    const LOGIN = `mutation { login(input: { username: "dana", password: "correct horse battery" }) { accessToken } }`;
    for (let i = 0; i < 5; i++) {
      // A fresh token each time, so its check is not served from the verified-token cache.
      const token = (await server.gql(LOGIN)).data.login.accessToken;
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      socket.terminate(); // gone before the server has answered connection_init
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = openSocket(dana.accessToken);
    const second = openSocket(dana.accessToken);
    await subscribe(first.client, `subscription { messageDeleted }`);
    await subscribe(second.client, `subscription { messageDeleted }`);
    assert.ok(await stillOpen(first.closed, 300), 'the dropped handshakes are not counted');
    assert.ok(await stillOpen(second.closed, 10));
    for (const socket of [first, second]) await socket.client.dispose();
  });

  test('at most WS_MAX_CONNECTIONS_PER_IP sockets per address (4429 beyond)', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 7 }, async () => {
        const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
        const code = new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
        await new Promise((resolve) => socket.once('open', resolve));
        socket.send(JSON.stringify({ type: 'connection_init' }));
        return { socket, code };
      }),
    );
    const first = await Promise.race(sockets.map((s) => s.code));
    assert.equal(first, 4429, 'the seventh is refused');
    for (const { socket } of sockets) socket.close();
    await Promise.all(sockets.map((s) => s.code));
  });

  test('an anonymous socket is closed after WS_ANONYMOUS_IDLE_TIMEOUT (4003); a signed-in one stays', async () => {
    const anonymous = openSocket();
    const signedIn = openSocket(alice.accessToken);
    assert.equal(await anonymous.closed, 4003);
    assert.ok(await stillOpen(signedIn.closed, 1500), 'signed-in socket stays open');
    await signedIn.client.dispose();
  });
});

describe('small transport holes', () => {
  test('exactly WS_MAX_SUBSCRIPTIONS subscriptions work on one connection; one more is refused', async () => {
    const client = server.ws(alice.accessToken);
    const live = [];
    for (let i = 0; i < 3; i++) live.push(await subscribe(client, `subscription { messageDeleted }`));
    const fourth = await subscribe(client, `subscription { messageDeleted }`);
    const errors = (await fourth.failed) as Array<{ message: string; extensions?: { code?: string } }>;
    assert.match(errors[0]!.message, /at most 3 subscriptions/i);
    const message = await createMessage(server, alice, 'to delete');
    await server.gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: message.id }, alice.accessToken);
    for (const subscription of live) assert.deepEqual(await subscription.next(), { messageDeleted: message.id });
    await client.dispose();
  });

  test('production hides field suggestions over WebSocket too', async () => {
    const local = await startTestServer({ NODE_ENV: 'production' });
    try {
      const account = await registerUser(local);
      const client = local.ws(account.accessToken);
      const refused = await subscribe(client, `{ mee { id } }`);
      const errors = (await refused.failed) as Array<{ message: string }>;
      assert.match(errors[0]!.message, /Cannot query field "mee"/);
      assert.doesNotMatch(errors[0]!.message, /Did you mean/);
    } finally {
      await local.stop();
    }
  });

  test('IPv6 clients are counted per /64, so rotating addresses in one /64 does not dodge a limit', async () => {
    const local = await startTestServer({ TRUST_PROXY: 'true', RATE_LIMIT_REGISTER_PER_IP: '2' });
    try {
      const register = (username: string, address: string) =>
        fetch(local.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({ query: REGISTER, variables: { input: { username, password: 'long enough' } } }),
        }).then((response) => response.json() as Promise<GraphQLResponse>);
      assert.deepEqual(codes(await register('six_a', '2001:db8:1:2::1')), []);
      assert.deepEqual(codes(await register('six_b', '2001:db8:1:2:aaaa::2')), []);
      assert.deepEqual(codes(await register('six_c', '2001:db8:1:2:ffff:ffff:ffff:3')), ['RATE_LIMITED'], 'same /64');
      assert.deepEqual(codes(await register('six_d', '2001:db8:1:3::1')), [], 'another /64 has its own budget');
    } finally {
      await local.stop();
    }
  });
});
