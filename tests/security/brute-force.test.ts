// Credential guessing: limits count each call, refusals cost no bcrypt work,
// and the server stays healthy for everyone else.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTER, codes, registerUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ BCRYPT_ROUNDS: '10', RATE_LIMIT_LOGIN_PER_USERNAME: '5', RATE_LIMIT_LOGIN_PER_IP: '8', RATE_LIMIT_REFRESH_PER_IP: '3' });
  await registerUser(server, 'victim', 'the real password');
});
after(() => server.stop());

const login = (p: string, u = 'victim') => server.gql(`mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken } }`, { u, p });

test('100 aliased logins in one document are refused whole, before any bcrypt work', async () => {
  const aliases = Array.from({ length: 100 }, (_, i) => `l${i}: login(input: { username: "victim", password: "guess${i}" }) { accessToken }`).join(' ');
  const started = performance.now();
  const result = await server.gql(`mutation { ${aliases} }`);
  const elapsed = performance.now() - started;
  assert.equal(result.data, undefined);
  const messages = result.errors!.map((error) => error.message).join('\n');
  assert.match(messages, /at most one of login, register, refreshToken per operation/i);
  // 100 hashes at cost 10 take about 7 s; a refusal is a validation pass.
  assert.ok(elapsed < 3000, `refused in ${elapsed.toFixed(0)} ms`);
  // Two aliases are under the alias limit: the expensive-field rule alone refuses them.
  const two = await server.gql(`mutation { a: login(input: { username: "victim", password: "x" }) { accessToken } b: login(input: { username: "victim", password: "y" }) { accessToken } }`);
  assert.deepEqual(codes(two), ['GRAPHQL_VALIDATION_FAILED']);
  assert.match(two.errors![0]!.message, /at most one of login/i);
  // Also through fragments, and mixed expensive fields.
  const viaFragments = await server.gql(`mutation { ...A ...B } fragment A on Mutation { a: login(input: { username: "victim", password: "x" }) { accessToken } } fragment B on Mutation { b: register(input: { username: "someone", password: "long enough" }) { accessToken } }`);
  assert.equal(viaFragments.data, undefined);
  assert.deepEqual(codes(viaFragments), ['GRAPHQL_VALIDATION_FAILED']);
});

test('GRAPHQL_MAX_EXPENSIVE_FIELDS raises the per-operation allowance', async () => {
  const local = await startTestServer({ GRAPHQL_MAX_EXPENSIVE_FIELDS: '2' });
  try {
    await registerUser(local, 'pair', 'the real password');
    const two = await local.gql(`mutation { a: login(input: { username: "pair", password: "the real password" }) { accessToken } b: login(input: { username: "pair", password: "the real password" }) { accessToken } }`);
    assert.equal(two.errors, undefined, JSON.stringify(two.errors));
    const three = await local.gql(`mutation { a: login(input: { username: "pair", password: "x" }) { accessToken } b: login(input: { username: "pair", password: "y" }) { accessToken } c: login(input: { username: "pair", password: "z" }) { accessToken } }`);
    assert.match(three.errors![0]!.message, /at most 2 of login/i);
  } finally {
    await local.stop();
  }
});

test('a batched array of operations is refused (batching is off)', async () => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ query: `mutation { login(input: { username: "victim", password: "b${i}" }) { accessToken } }` }))),
  });
  assert.equal(response.status, 400);
  assert.match(await response.text(), /batch/i);
});

test('per-username and per-IP login limits, with retryAfter; the right password is refused too once limited', async () => {
  for (let i = 0; i < 5; i++) assert.deepEqual(codes(await login(`wrong ${i}`)), ['UNAUTHENTICATED']);
  const limited = await login('the real password');
  assert.deepEqual(codes(limited), ['RATE_LIMITED']);
  const retryAfter = limited.errors![0]!.extensions!.retryAfter;
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 15 * 60, `retryAfter ${retryAfter}`);
  // Other usernames from the same IP: until the per-IP budget (8) is spent.
  assert.deepEqual(codes(await login('x', 'someone-else')), ['UNAUTHENTICATED']);
  assert.deepEqual(codes(await login('x', 'another-one')), ['UNAUTHENTICATED']);
  assert.deepEqual(codes(await login('x', 'third-one')), ['RATE_LIMITED'], 'the IP is limited now');
  assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
});

test('refresh attempts per IP are limited', async () => {
  const refresh = () => server.gql(`mutation { refreshToken(refreshToken: "guess") { accessToken } }`);
  for (let i = 0; i < 3; i++) assert.deepEqual(codes(await refresh()), ['UNAUTHENTICATED']);
  assert.deepEqual(codes(await refresh()), ['RATE_LIMITED']);
});

test('registrations per IP are limited and a refused registration creates nothing', async () => {
  const local = await startTestServer({ RATE_LIMIT_REGISTER_PER_IP: '1' });
  try {
    await registerUser(local, 'first');
    assert.deepEqual(codes(await local.gql(REGISTER, { input: { username: 'second', password: 'long enough' } })), ['RATE_LIMITED']);
    const other = await registerUser(server, 'observer');
    assert.equal((await server.gql(`{ user(username: "second") { id } }`, {}, other.accessToken)).data.user, null);
  } finally {
    await local.stop();
  }
});
