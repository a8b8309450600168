// Brute-force limits on the expensive, credential-guessing operations.
// Each call counts (not each HTTP request) and is counted before any bcrypt
// work, so refused attempts cost almost nothing.
//
// Logins follow rate-limiter-flexible's "login endpoint protection" recipe:
// failures are refused per (username, address), so a stranger cannot lock
// someone out; per username alone they are only slowed down, past a much
// higher threshold, so a guesser with many addresses still gets few guesses.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { rateLimited } from '../errors.js';

export type LimitName = 'loginPerIp' | 'registerPerIp' | 'refreshPerIp';

/** Added per failure past `loginSlowAfter`, up to `loginMaxDelayMs`. */
const LOGIN_DELAY_STEP_MS = 250;

export interface RateLimits {
  /** Counts one attempt; throws RATE_LIMITED (with retryAfter) past the limit. */
  consume(limit: LimitName, key: string): Promise<void>;
  /**
   * Counts one login attempt for a username (its normalised key) from an
   * address. Throws RATE_LIMITED past `loginPerUsername` failures from that
   * address; returns how long to wait before checking the password, which
   * grows past `loginSlowAfter` failures from all addresses together.
   */
  countLogin(usernameKey: string, ip: string): Promise<{ delayMs: number }>;
  /** A correct password: forgets the address's failures and un-counts this attempt. */
  loginSucceeded(usernameKey: string, ip: string): Promise<void>;
}

/**
 * Limiter keys are a short hash of the text, never the text itself: a key is
 * held for the whole window, so its size must not depend on the client.
 * 22 base64url characters = 132 bits, ample against collisions.
 */
export function limiterKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 22);
}

/**
 * In memory (one instance), or in Redis so every instance counts together.
 * With Redis, each limit falls back to an in-memory twin while Redis is away.
 */
/** Where counters live: this process, or Redis shared by every instance. */
export type LimiterStore = { client: Redis; prefix: string } | undefined;

/**
 * `points` per `durationSeconds` under `name`: in memory, or in Redis with an
 * in-memory twin that takes over while Redis is away.
 */
export function createLimiter(points: number, durationSeconds: number, name: string, redis: LimiterStore): RateLimiterAbstract {
  const options = { points, duration: durationSeconds, keyPrefix: name };
  if (!redis) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    keyPrefix: `${redis.prefix}rl:${name}`,
    storeClient: redis.client,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

export function createRateLimits(config: Config['rateLimits'], redis?: LimiterStore): RateLimits {
  const make = (points: number, name: string) => createLimiter(points, config.windowSeconds, name, redis);
  const limiters: Record<LimitName, RateLimiterAbstract> = {
    loginPerIp: make(config.loginPerIp, 'login_ip'),
    registerPerIp: make(config.registerPerIp, 'register_ip'),
    refreshPerIp: make(config.refreshPerIp, 'refresh_ip'),
  };
  const loginPerUsernameAndIp = make(config.loginPerUsername, 'login_user_ip');
  // Never refuses: `penalty` only counts, the count sets the delay.
  const loginPerUsername = make(config.loginSlowAfter, 'login_user_slow');

  const consume = async (limiter: RateLimiterAbstract, key: string) => {
    try {
      await limiter.consume(key);
    } catch (result) {
      if (result instanceof RateLimiterRes) throw rateLimited(result.msBeforeNext / 1000);
      throw result;
    }
  };
  const delayAfter = (failures: number) =>
    Math.min(config.loginMaxDelayMs, Math.max(0, failures - config.loginSlowAfter) * LOGIN_DELAY_STEP_MS);

  return {
    consume: (limit, key) => consume(limiters[limit], limiterKey(key)),
    async countLogin(usernameKey, ip) {
      // The pair first: attempts it refuses do not slow the username down for others.
      await consume(loginPerUsernameAndIp, limiterKey(usernameKey, ip));
      const { consumedPoints } = await loginPerUsername.penalty(limiterKey(usernameKey));
      return { delayMs: delayAfter(consumedPoints) };
    },
    async loginSucceeded(usernameKey, ip) {
      await loginPerUsernameAndIp.delete(limiterKey(usernameKey, ip));
      await loginPerUsername.reward(limiterKey(usernameKey));
    },
  };
}
