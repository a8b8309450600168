// Password hashing runs in a bounded pool of worker threads: bcrypt's CPU time
// never stalls the event loop (other requests stay fast while logins run), and
// a full queue answers RATE_LIMITED at once instead of piling up work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { codes, registerUser, startTestServer } from '../support/server.js';

const LOGIN = `mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken } }`;

test('with the hashing queue full, logins are RATE_LIMITED with retryAfter; a login afterwards works', async () => {
  const server = await startTestServer({
    BCRYPT_ROUNDS: '12',
    PASSWORD_HASH_THREADS: '1',
    PASSWORD_HASH_QUEUE: '1',
    RATE_LIMIT_LOGIN_PER_USERNAME: '100', // only the pool may refuse here
  });
  try {
    await registerUser(server, 'busy', 'the real password');
    // One hash runs, one waits; the other six find the queue full.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => server.gql(LOGIN, { u: 'busy', p: `wrong ${i}` })));
    const answered = answers.map((answer) => codes(answer)[0]);
    const limited = answers.filter((answer) => codes(answer)[0] === 'RATE_LIMITED');
    assert.ok(limited.length > 0, `no refusal: ${answered.join(', ')}`);
    assert.ok(answered.includes('UNAUTHENTICATED'), `none was checked: ${answered.join(', ')}`);
    assert.ok(answered.every((code) => code === 'RATE_LIMITED' || code === 'UNAUTHENTICATED'), answered.join(', '));
    for (const answer of limited) {
      const retryAfter = answer.errors![0]!.extensions!.retryAfter;
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `retryAfter ${retryAfter}`);
    }
    const login = await server.gql(LOGIN, { u: 'busy', p: 'the real password' });
    assert.ok(login.data?.login.accessToken, JSON.stringify(login.errors));
  } finally {
    await server.stop();
  }
});

test('cost-12 logins do not block the event loop (the server runs in this process)', async () => {
  const server = await startTestServer({ BCRYPT_ROUNDS: '12' });
  try {
    await registerUser(server, 'steady', 'the real password');
    await server.gql(LOGIN, { u: 'steady', p: 'warm up' }); // code paths loaded, worker warm
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => server.gql(LOGIN, { u: 'steady', p: `wrong ${i}` })));
    delay.disable();
    assert.deepEqual(answers.map((answer) => codes(answer)[0]), Array(6).fill('UNAUTHENTICATED'));
    // On the main thread, bcryptjs blocks in ~100 ms slices (about 1.4 s in
    // all here); in the pool only HTTP and SQL run here: a few ms.
    const maxMs = delay.max / 1e6;
    assert.ok(maxMs < 60, `event loop blocked for up to ${maxMs.toFixed(1)} ms`);
  } finally {
    await server.stop();
  }
});
