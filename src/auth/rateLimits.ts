// Brute-force limits on the expensive, credential-guessing operations.
// Each call counts (not each HTTP request) and is counted before any bcrypt
// work, so refused attempts cost almost nothing.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { rateLimited } from '../errors.js';

export type LimitName = 'loginPerIp' | 'loginPerUsername' | 'registerPerIp' | 'refreshPerIp';

export interface RateLimits {
  /** Counts one attempt; throws RATE_LIMITED (with retryAfter) past the limit. */
  consume(limit: LimitName, key: string): Promise<void>;
  /** Forgets a key's attempts (a successful login resets its username). */
  reset(limit: LimitName, key: string): Promise<void>;
}

/**
 * In memory (one instance), or in Redis so every instance counts together.
 * With Redis, each limit falls back to an in-memory twin while Redis is away.
 */
export function createRateLimits(config: Config['rateLimits'], redis?: { client: Redis; prefix: string }): RateLimits {
  const make = (points: number, name: string) => {
    const options = { points, duration: config.windowSeconds, keyPrefix: name };
    if (!redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      keyPrefix: `${redis.prefix}rl:${name}`,
      storeClient: redis.client,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
  const limiters: Record<LimitName, RateLimiterAbstract> = {
    loginPerIp: make(config.loginPerIp, 'login_ip'),
    loginPerUsername: make(config.loginPerUsername, 'login_user'),
    registerPerIp: make(config.registerPerIp, 'register_ip'),
    refreshPerIp: make(config.refreshPerIp, 'refresh_ip'),
  };
  return {
    async consume(limit, key) {
      try {
        await limiters[limit].consume(key);
      } catch (result) {
        if (result instanceof RateLimiterRes) throw rateLimited(result.msBeforeNext / 1000);
        throw result;
      }
    },
    async reset(limit, key) {
      await limiters[limit].delete(key);
    },
  };
}
