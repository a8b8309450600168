// Access tokens (JWT via jose) and refresh tokens (random, stored hashed).
import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { atMost } from '../lru.js';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export interface JwtSettings {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

/** What a verified access token says. Carries ids only, never secrets. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: 'expired' | 'invalid' };

const ALGORITHM = 'HS256';
/** Small, explicit tolerance for clocks of other instances or clients. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export async function createAccessToken(
  jwt: JwtSettings,
  userId: string,
  sessionId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const exp = issuedAt + jwt.accessTtlSeconds;
  const token = await new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(signingKey(jwt.secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

export async function verifyAccessToken(jwt: JwtSettings, token: string): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, signingKey(jwt.secret), {
      algorithms: [ALGORITHM], // pinned: "alg: none" or RS/HS confusion is refused
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, claims: { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) } };
  } catch (error) {
    return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/**
 * The HMAC key as a KeyObject, made once: given the raw bytes, jose imports a
 * WebCrypto key on every sign and verify (about 2 % of a `me` request).
 */
const signingKeys = new WeakMap<Uint8Array, KeyObject>();
function signingKey(secret: Uint8Array): KeyObject {
  let key = signingKeys.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    signingKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifies access tokens, remembering the ones that verified until they
 * expire: a client sends the same token with every request for 15 minutes,
 * and its signature and claims cannot change meanwhile. Only successes are
 * kept (a forged or expired token is checked in full every time), entries
 * end at the token's `exp`, and logout is unaffected: the session check runs
 * on every request after this (viewer.ts).
 */
export class AccessTokenVerifier {
  private readonly verified = new LRUCache<string, AccessClaims>(atMost(20_000));

  constructor(private readonly jwt: JwtSettings) {}

  async verify(token: string): Promise<VerifyResult> {
    const known = this.verified.get(token);
    if (known && known.expiresAt.getTime() > Date.now()) return { ok: true, claims: known };
    const result = await verifyAccessToken(this.jwt, token);
    if (result.ok) {
      const ttl = result.claims.expiresAt.getTime() - Date.now();
      if (ttl > 0) this.verified.set(token, result.claims, { ttl });
    }
    return result;
  }
}

/** "Bearer <token>" -> token; anything else -> null. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** An opaque refresh token: 256 random bits, base64url. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Refresh tokens are stored only as this hash (high entropy: no salt or KDF needed). */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Seals a successor refresh token for the short grace period in which a
 * concurrent refresh (a second tab) may ask for it again. AES-256-GCM with a
 * key derived from the JWT secret: the database alone does not reveal it.
 */
export function sealToken(secret: Uint8Array, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The token sealed by sealToken, or null if the value was tampered with (or the secret changed). */
export function unsealToken(secret: Uint8Array, sealed: string): string | null {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

const sealingKeys = new WeakMap<Uint8Array, Buffer>();
function sealingKey(secret: Uint8Array): Buffer {
  let key = sealingKeys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'messaging-api refresh successor', 32));
    sealingKeys.set(secret, key);
  }
  return key;
}
