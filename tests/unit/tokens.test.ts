import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import {
  bearerToken,
  createAccessToken,
  hashRefreshToken,
  newRefreshToken,
  verifyAccessToken,
  AccessTokenVerifier,
  CLOCK_TOLERANCE_SECONDS,
} from '../../src/auth/tokens.js';

const jwt = {
  secret: new TextEncoder().encode('unit-test-secret-that-is-32-bytes!!'),
  issuer: 'messaging-api',
  audience: 'messaging-api',
  accessTtlSeconds: 60,
};

test('an access token verifies and names user and session', async () => {
  const { token, expiresAt } = await createAccessToken(jwt, 'user-1', 'session-1');
  const result = await verifyAccessToken(jwt, token);
  assert.deepEqual(result, { ok: true, claims: { userId: 'user-1', sessionId: 'session-1', expiresAt } });
});

test('expired (beyond the clock tolerance) and foreign tokens are refused with a reason', async () => {
  const old = new Date(Date.now() - (60 + CLOCK_TOLERANCE_SECONDS + 1) * 1000);
  const expired = await createAccessToken(jwt, 'u', 's', old);
  assert.deepEqual(await verifyAccessToken(jwt, expired.token), { ok: false, reason: 'expired' });
  const justExpired = await createAccessToken(jwt, 'u', 's', new Date(Date.now() - 62 * 1000));
  assert.equal((await verifyAccessToken(jwt, justExpired.token)).ok, true, 'within tolerance');
  const otherAudience = await createAccessToken({ ...jwt, audience: 'other' }, 'u', 's');
  assert.deepEqual(await verifyAccessToken(jwt, otherAudience.token), { ok: false, reason: 'invalid' });
  const hs512 = await new SignJWT({ sid: 's' })
    .setProtectedHeader({ alg: 'HS512' })
    .setSubject('u').setIssuer(jwt.issuer).setAudience(jwt.audience).setIssuedAt().setJti('j').setExpirationTime('1m')
    .sign(new TextEncoder().encode('unit-test-secret-that-is-32-bytes!!unit-test-secret-that-is-64-b'));
  assert.deepEqual(await verifyAccessToken(jwt, hs512), { ok: false, reason: 'invalid' }, 'algorithm is pinned');
});

test('bearer header parsing', () => {
  assert.equal(bearerToken('Bearer abc.def'), 'abc.def');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), null);
  assert.equal(bearerToken(undefined), null);
});

test('refresh tokens are random and stored as a hash', () => {
  const a = newRefreshToken();
  assert.notEqual(a, newRefreshToken());
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.match(hashRefreshToken(a), /^[0-9a-f]{64}$/);
  assert.equal(hashRefreshToken(a), hashRefreshToken(a));
});

test('a sealed successor token opens only with the same secret and untampered', async () => {
  const { sealToken, unsealToken } = await import('../../src/auth/tokens.js');
  const sealed = sealToken(jwt.secret, 'the-successor');
  assert.equal(unsealToken(jwt.secret, sealed), 'the-successor');
  assert.notEqual(sealToken(jwt.secret, 'the-successor'), sealed, 'random IV');
  assert.equal(unsealToken(new TextEncoder().encode('x'.repeat(40)), sealed), null);
  const tampered = Buffer.from(sealed, 'base64url');
  tampered[tampered.length - 1]! ^= 1;
  assert.equal(unsealToken(jwt.secret, tampered.toString('base64url')), null);
});

test('the verifier remembers only tokens that verified, and never past their expiry', async () => {
  const verifier = new AccessTokenVerifier(jwt);
  const { token, expiresAt } = await createAccessToken(jwt, 'user-1', 'session-1');
  const expected = { ok: true, claims: { userId: 'user-1', sessionId: 'session-1', expiresAt } };
  assert.deepEqual(await verifier.verify(token), expected);
  assert.deepEqual(await verifier.verify(token), expected, 'served again (from memory)');
  // A token that differs from a remembered one in its signature is checked in full.
  const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  assert.deepEqual(await verifier.verify(forged), { ok: false, reason: 'invalid' });
  assert.deepEqual(await verifier.verify(forged), { ok: false, reason: 'invalid' }, 'failures are not remembered');
  // Expired beyond the clock tolerance: refused, whether or not it was seen before.
  const old = await createAccessToken(jwt, 'user-1', 'session-1', new Date(Date.now() - (jwt.accessTtlSeconds + CLOCK_TOLERANCE_SECONDS + 5) * 1000));
  assert.deepEqual(await verifier.verify(old.token), { ok: false, reason: 'expired' });
});
