// Registration, login, tokens and sessions end to end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT } from 'jose';
import { REGISTER, TEST_SECRET, codes, registerUser, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const LOGIN = `mutation ($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken refreshToken expiresAt user { id username } } }`;
const REFRESH = `mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresAt user { username } } }`;
const LOGOUT = `mutation ($t: String, $all: Boolean) { logout(refreshToken: $t, allSessions: $all) }`;
const ME = `{ me { id username } }`;
const secret = new TextEncoder().encode(TEST_SECRET);

describe('register', () => {
  test('returns working tokens and the user as typed', async () => {
    const result = await server.gql(REGISTER, { input: { username: 'MixedCase.Name', password: 'long enough' } });
    const payload = result.data.register;
    assert.equal(payload.user.username, 'MixedCase.Name');
    assert.ok(payload.refreshToken.length >= 32);
    const expiresIn = new Date(payload.expiresAt).getTime() - Date.now();
    assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, `access token lives 15m, got ${expiresIn} ms`);
    const me = await server.gql(ME, {}, payload.accessToken);
    assert.deepEqual(me.data.me, { id: payload.user.id, username: 'MixedCase.Name' });
  });

  test('usernames are unique case-insensitively and after NFKC folding', async () => {
    await registerUser(server, 'Unique_one');
    for (const username of ['unique_one', 'UNIQUE_ONE', 'Ｕｎｉｑｕｅ_ｏｎｅ']) {
      const result = await server.gql(REGISTER, { input: { username, password: 'long enough' } });
      assert.deepEqual(codes(result), ['USERNAME_TAKEN'], username);
    }
  });

  test('bad usernames and weak passwords are BAD_USER_INPUT', async () => {
    const cases = [
      { username: 'ab', password: 'long enough' },
      { username: 'x'.repeat(33), password: 'long enough' },
      { username: 'has space', password: 'long enough' },
      { username: 'emoji😀', password: 'long enough' },
      { username: 'okname', password: 'short' },
      { username: 'okname', password: 'é'.repeat(37) }, // 74 bytes: bcrypt would truncate
    ];
    for (const input of cases) {
      const result = await server.gql(REGISTER, { input });
      assert.deepEqual(codes(result), ['BAD_USER_INPUT'], JSON.stringify(input));
    }
  });
});

describe('login', () => {
  test('logs in case-insensitively and answers the same for unknown user and wrong password', async () => {
    await registerUser(server, 'Logan', 'the right password');
    const ok = await server.gql(LOGIN, { u: 'logan', p: 'the right password' });
    assert.equal(ok.data.login.user.username, 'Logan');

    const wrong = await server.gql(LOGIN, { u: 'Logan', p: 'the wrong password' });
    const unknown = await server.gql(LOGIN, { u: 'nobody-here', p: 'the wrong password' });
    assert.deepEqual(codes(wrong), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(unknown), ['UNAUTHENTICATED']);
    assert.equal(wrong.errors![0]!.message, unknown.errors![0]!.message);
  });

  test('an unknown user takes about as long as a wrong password (bcrypt against a dummy hash)', async () => {
    const local = await startTestServer({ BCRYPT_ROUNDS: '10' });
    try {
      await registerUser(local, 'timed', 'the right password');
      await local.gql(LOGIN, { u: 'nobody', p: 'warm up the dummy hash' });
      const time = async (u: string) => {
        const start = performance.now();
        for (let i = 0; i < 3; i++) await local.gql(LOGIN, { u, p: 'wrong password!' });
        return performance.now() - start;
      };
      const wrongPassword = await time('timed');
      const unknownUser = await time('nobody');
      const ratio = unknownUser / wrongPassword;
      assert.ok(ratio > 0.4 && ratio < 2.5, `unknown ${unknownUser.toFixed(0)} ms vs wrong password ${wrongPassword.toFixed(0)} ms`);
    } finally {
      await local.stop();
    }
  });
});

describe('access tokens', () => {
  test('me is null without a token and with a bad one; protected fields are UNAUTHENTICATED', async () => {
    const account = await registerUser(server);
    const [header, payload] = account.accessToken.split('.');
    const forged = await new SignJWT({ sid: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(account.id)
      .setIssuer('messaging-api')
      .setAudience('messaging-api')
      .setIssuedAt()
      .setJti('j')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-for-hs256'));
    const expired = await new SignJWT({ sid: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(account.id)
      .setIssuer('messaging-api')
      .setAudience('messaging-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setJti('j')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const algNone = new UnsecuredJWT({ sid: 'x' }).setSubject(account.id).setIssuer('messaging-api').setAudience('messaging-api').setIssuedAt().setExpirationTime('1h').encode();
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${account.accessToken.split('.')[2]}`;

    for (const [name, token] of Object.entries({ forged, expired, algNone, tampered, garbage: 'not.a.jwt' })) {
      const me = await server.gql(ME, {}, token);
      assert.equal(me.errors, undefined, name);
      assert.equal(me.data.me, null, name);
      const protectedField = await server.gql(`{ messages { totalCount } }`, {}, token);
      assert.deepEqual(codes(protectedField), ['UNAUTHENTICATED'], name);
    }
    const expiredAnswer = await server.gql(`{ messages { totalCount } }`, {}, expired);
    assert.match(expiredAnswer.errors![0]!.message, /expired/i);
  });

  test('the access token carries sub, iat, exp, iss, aud, jti and no secrets', async () => {
    const account = await registerUser(server);
    const claims = JSON.parse(Buffer.from(account.accessToken.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, account.id);
    assert.equal(claims.iss, 'messaging-api');
    assert.equal(claims.aud, 'messaging-api');
    assert.equal(typeof claims.jti, 'string');
    assert.equal(claims.exp - claims.iat, 15 * 60);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
  });
});

describe('refresh tokens', () => {
  test('rotation: the new pair works, the old refresh token stops working', async () => {
    const account = await registerUser(server);
    const first = await server.gql(REFRESH, { t: account.refreshToken });
    const pair = first.data.refreshToken;
    assert.equal(pair.user.username, account.username);
    assert.notEqual(pair.refreshToken, account.refreshToken);
    assert.equal((await server.gql(ME, {}, pair.accessToken)).data.me.id, account.id);
    const second = await server.gql(REFRESH, { t: pair.refreshToken });
    assert.ok(second.data.refreshToken.refreshToken);
    assert.deepEqual(codes(await server.gql(REFRESH, { t: 'never-issued' })), ['UNAUTHENTICATED']);
  });

  test('reuse of a rotated token revokes the whole session family', async () => {
    const account = await registerUser(server);
    const first = (await server.gql(REFRESH, { t: account.refreshToken })).data.refreshToken;
    const second = (await server.gql(REFRESH, { t: first.refreshToken })).data.refreshToken;
    // The original token is presented again after its successor was used (a stolen copy): refused...
    assert.deepEqual(codes(await server.gql(REFRESH, { t: account.refreshToken })), ['UNAUTHENTICATED']);
    // ...and the legitimate newest token of that family is dead too.
    assert.deepEqual(codes(await server.gql(REFRESH, { t: second.refreshToken })), ['UNAUTHENTICATED']);
    // Other sessions of the same user are untouched.
    const other = (await server.gql(LOGIN, { u: account.username, p: 'correct horse battery' })).data.login;
    assert.ok((await server.gql(REFRESH, { t: other.refreshToken })).data.refreshToken);
  });

  test('two tabs refreshing the same token at once both get the same new pair (grace period)', async () => {
    const account = await registerUser(server);
    const [tabA, tabB] = await Promise.all([
      server.gql(REFRESH, { t: account.refreshToken }),
      server.gql(REFRESH, { t: account.refreshToken }),
    ]);
    assert.equal(tabA.errors, undefined, JSON.stringify(tabA.errors));
    assert.equal(tabB.errors, undefined, JSON.stringify(tabB.errors));
    assert.equal(tabA.data.refreshToken.refreshToken, tabB.data.refreshToken.refreshToken, 'one successor, not two');
    // The shared successor is a normal single-use token.
    const next = (await server.gql(REFRESH, { t: tabA.data.refreshToken.refreshToken })).data.refreshToken;
    assert.ok(next.accessToken);
    // Once the successor has been used, the original is plain reuse.
    assert.deepEqual(codes(await server.gql(REFRESH, { t: account.refreshToken })), ['UNAUTHENTICATED']);
  });

  test('after the grace period, or with REFRESH_REUSE_GRACE=0, a second presentation is reuse', async () => {
    for (const [grace, wait] of [['1s', 1300], ['0', 0]] as const) {
      const local = await startTestServer({ REFRESH_REUSE_GRACE: grace });
      try {
        const account = await registerUser(local);
        const rotated = (await local.gql(REFRESH, { t: account.refreshToken })).data.refreshToken;
        await new Promise((resolve) => setTimeout(resolve, wait));
        assert.deepEqual(codes(await local.gql(REFRESH, { t: account.refreshToken })), ['UNAUTHENTICATED'], `grace ${grace}`);
        assert.deepEqual(codes(await local.gql(REFRESH, { t: rotated.refreshToken })), ['UNAUTHENTICATED'], 'family revoked');
      } finally {
        await local.stop();
      }
    }
  });

  test('logout(refreshToken) revokes that session; logout(allSessions) revokes every session', async () => {
    const account = await registerUser(server);
    assert.equal((await server.gql(LOGOUT, { t: account.refreshToken })).data.logout, true);
    assert.deepEqual(codes(await server.gql(REFRESH, { t: account.refreshToken })), ['UNAUTHENTICATED']);
    assert.equal((await server.gql(LOGOUT, { t: 'unknown-token' })).data.logout, false);

    const login = async () => (await server.gql(LOGIN, { u: account.username, p: 'correct horse battery' })).data.login;
    const a = await login();
    const b = await login();
    assert.deepEqual(codes(await server.gql(LOGOUT, { all: true })), ['UNAUTHENTICATED'], 'allSessions needs the viewer');
    assert.equal((await server.gql(LOGOUT, { all: true }, a.accessToken)).data.logout, true);
    for (const session of [a, b]) {
      assert.deepEqual(codes(await server.gql(REFRESH, { t: session.refreshToken })), ['UNAUTHENTICATED']);
    }
  });
});

test('access tokens of ended sessions stop working at once, not at expiry', async () => {
  const account = await registerUser(server);
  const other = (await server.gql(LOGIN, { u: account.username, p: 'correct horse battery' })).data.login;
  assert.equal((await server.gql(ME, {}, account.accessToken)).data.me.id, account.id, 'cached as active first');
  await server.gql(LOGOUT, { t: account.refreshToken });
  const after = await server.gql(`{ messages { totalCount } }`, {}, account.accessToken);
  assert.deepEqual(codes(after), ['UNAUTHENTICATED']);
  assert.match(after.errors![0]!.message, /session ended/i);
  assert.equal((await server.gql(ME, {}, account.accessToken)).data.me, null);
  assert.equal((await server.gql(ME, {}, other.accessToken)).data.me.id, account.id, 'other sessions unaffected');
  await server.gql(LOGOUT, { all: true }, other.accessToken);
  assert.equal((await server.gql(ME, {}, other.accessToken)).data.me, null, 'logout(allSessions) ends them all');
});

test('logout with only an access token ends the current session, not the others', async () => {
  const account = await registerUser(server);
  const other = (await server.gql(LOGIN, { u: account.username, p: 'correct horse battery' })).data.login;
  assert.deepEqual(codes(await server.gql(LOGOUT, {})), ['UNAUTHENTICATED']);
  assert.equal((await server.gql(LOGOUT, {}, account.accessToken)).data.logout, true);
  assert.deepEqual(codes(await server.gql(REFRESH, { t: account.refreshToken })), ['UNAUTHENTICATED']);
  assert.ok((await server.gql(REFRESH, { t: other.refreshToken })).data.refreshToken, 'the other session lives on');
});

describe('rate limits', () => {
  test('too many logins for one username are RATE_LIMITED with retryAfter; other users are unaffected', async () => {
    const local = await startTestServer({ RATE_LIMIT_LOGIN_PER_USERNAME: '3' });
    try {
      await registerUser(local, 'target', 'the right password');
      await registerUser(local, 'bystander', 'the right password');
      for (let i = 0; i < 3; i++) assert.deepEqual(codes(await local.gql(LOGIN, { u: 'target', p: 'guess' + i })), ['UNAUTHENTICATED']);
      const limited = await local.gql(LOGIN, { u: 'TARGET', p: 'the right password' });
      assert.deepEqual(codes(limited), ['RATE_LIMITED']);
      assert.ok(limited.errors![0]!.extensions!.retryAfter > 0);
      assert.ok((await local.gql(LOGIN, { u: 'bystander', p: 'the right password' })).data.login);
    } finally {
      await local.stop();
    }
  });

  test('a successful login resets the username counter', async () => {
    const local = await startTestServer({ RATE_LIMIT_LOGIN_PER_USERNAME: '3' });
    try {
      await registerUser(local, 'forgetful', 'the right password');
      for (let round = 0; round < 3; round++) {
        await local.gql(LOGIN, { u: 'forgetful', p: 'oops' });
        await local.gql(LOGIN, { u: 'forgetful', p: 'oops again' });
        assert.ok((await local.gql(LOGIN, { u: 'forgetful', p: 'the right password' })).data.login, `round ${round}`);
      }
    } finally {
      await local.stop();
    }
  });

  test('behind a proxy (TRUST_PROXY) the address is the one the proxy added, not a forged one', async () => {
    const local = await startTestServer({ RATE_LIMIT_REGISTER_PER_IP: '1', TRUST_PROXY: 'true' });
    try {
      const register = (username: string, forwardedFor: string) =>
        fetch(local.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ query: REGISTER, variables: { input: { username, password: 'long enough' } } }),
        }).then((response) => response.json() as Promise<any>);
      assert.ok((await register('proxied1', '203.0.113.7')).data);
      assert.deepEqual(codes(await register('proxied2', '198.51.100.1, 203.0.113.7')), ['RATE_LIMITED'], 'a forged first entry does not help');
      assert.ok((await register('proxied3', '203.0.113.8')).data, 'another client has its own budget');
    } finally {
      await local.stop();
    }
  });

  test('registrations per IP are limited', async () => {
    const local = await startTestServer({ RATE_LIMIT_REGISTER_PER_IP: '2' });
    try {
      await registerUser(local);
      await registerUser(local);
      const third = await local.gql(REGISTER, { input: { username: 'third_one', password: 'long enough' } });
      assert.deepEqual(codes(third), ['RATE_LIMITED']);
    } finally {
      await local.stop();
    }
  });
});
