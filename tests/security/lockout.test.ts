// Login limits that a stranger cannot turn against an account (rate-limiter-
// flexible's "login endpoint protection"): failures are refused per (username,
// address), per username alone only delayed; and usernames that no account can
// have cost neither memory nor normalising work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, registerUser, startTestServer, type GraphQLResponse, type TestServer } from '../support/server.js';

const LOGIN = `mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken } }`;
const PASSWORD = 'the real password';

/** A login as a client at `address` behind the trusted proxy (TRUST_PROXY). */
async function loginFrom(server: TestServer, address: string, u: string, p: string): Promise<GraphQLResponse> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query: LOGIN, variables: { u, p } }),
  });
  return (await response.json()) as GraphQLResponse;
}

test('failures from one address limit that address only: the owner still logs in from another', async () => {
  const server = await startTestServer({ TRUST_PROXY: 'true', RATE_LIMIT_LOGIN_PER_USERNAME: '3' });
  try {
    await registerUser(server, 'victim', PASSWORD);
    for (let i = 0; i < 3; i++) assert.deepEqual(codes(await loginFrom(server, '203.0.113.66', 'victim', `guess ${i}`)), ['UNAUTHENTICATED']);
    const limited = await loginFrom(server, '203.0.113.66', 'VICTIM', PASSWORD);
    assert.deepEqual(codes(limited), ['RATE_LIMITED'], 'the right password from the limited address is refused too');
    assert.ok(Number.isInteger(limited.errors![0]!.extensions!.retryAfter) && limited.errors![0]!.extensions!.retryAfter > 0);

    const owner = await loginFrom(server, '198.51.100.5', 'victim', PASSWORD);
    assert.ok(owner.data?.login.accessToken, `the owner is locked out: ${JSON.stringify(owner.errors)}`);
    assert.deepEqual(codes(await loginFrom(server, '203.0.113.66', 'victim', PASSWORD)), ['RATE_LIMITED'], "the owner's success does not free the attacker");
  } finally {
    await server.stop();
  }
});

test('many failures from many addresses delay the next attempt for the username, but the right password still works', async () => {
  const server = await startTestServer({
    TRUST_PROXY: 'true',
    RATE_LIMIT_LOGIN_PER_USERNAME: '2',
    RATE_LIMIT_LOGIN_SLOW_AFTER: '3',
    RATE_LIMIT_LOGIN_MAX_DELAY: '1s',
  });
  try {
    await registerUser(server, 'popular', PASSWORD);
    // A first login warms the hashing workers, so the timings below measure the delay alone.
    await registerUser(server, 'someone_else', PASSWORD);
    await loginFrom(server, '198.51.100.9', 'someone_else', PASSWORD);
    const timings: number[] = [];
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        assert.deepEqual(codes(await loginFrom(server, address, 'popular', `guess ${i}`)), ['UNAUTHENTICATED'], `${address} #${i}`);
        timings.push(performance.now() - started);
      }
    }
    // The first three are answered at once (under the smallest delay), later ones wait 250 ms more each (up to 1 s).
    assert.ok(timings.slice(0, 3).every((ms) => ms < 245), timings.map((ms) => ms.toFixed(0)).join(', '));
    assert.ok(timings[3]! >= 245 && timings[5]! >= 745, timings.map((ms) => ms.toFixed(0)).join(', '));

    const started = performance.now();
    const owner = await loginFrom(server, '198.51.100.5', 'popular', PASSWORD);
    const elapsed = performance.now() - started;
    assert.ok(owner.data?.login.accessToken, `refused: ${JSON.stringify(owner.errors)}`);
    assert.ok(elapsed >= 990, `answered after ${elapsed.toFixed(0)} ms, not delayed`);
  } finally {
    await server.stop();
  }
});

test('an over-long username is answered like a wrong password, counted per address, and kept nowhere', async () => {
  const attempts = 300;
  const server = await startTestServer({ RATE_LIMIT_LOGIN_PER_IP: String(attempts) });
  try {
    const viewer = await registerUser(server, 'observer', PASSWORD);
    // 99 kB of UTF-8 (fits the 100 kB body limit); NFKC would expand it to
    // 594,000 characters, about 1.2 MB per limiter key. A new name each time,
    // as a guesser avoiding the per-username limit would send.
    const long = (i: number) => `${i}${'\uFDFA'.repeat(33_000)}`;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    for (let i = 0; i < attempts; i++) {
      const answer = await server.gql(LOGIN, { u: long(i), p: `guess ${i}` });
      assert.deepEqual(codes(answer), ['UNAUTHENTICATED']);
      assert.equal(answer.errors![0]!.message, 'Invalid username or password');
    }
    const elapsed = performance.now() - started;
    const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.ok(grownMb < 150, `RSS grew by ${grownMb.toFixed(0)} MB over ${attempts} attempts`);
    assert.ok(elapsed / attempts < 50, `${(elapsed / attempts).toFixed(1)} ms per attempt`);
    assert.deepEqual(codes(await server.gql(LOGIN, { u: 'observer', p: PASSWORD })), ['RATE_LIMITED'], 'the per-address limit counted them');

    const lookup = await server.gql(`query ($u: String!) { user(username: $u) { id } }`, { u: long(0) }, viewer.accessToken);
    assert.equal(lookup.data?.user, null, JSON.stringify(lookup.errors));
  } finally {
    await server.stop();
  }
});
