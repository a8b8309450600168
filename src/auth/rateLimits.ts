// Brute-force limits on the expensive, credential-guessing operations.
// Each call counts (not each HTTP request) and is counted before any bcrypt
// work, so refused attempts cost almost nothing.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { rateLimited } from '../errors.js';

export type LimitName = 'loginPerIp' | 'loginPerUsername' | 'registerPerIp' | 'refreshPerIp';

export interface RateLimits {
  /** Counts one attempt; throws RATE_LIMITED (with retryAfter) past the limit. */
  consume(limit: LimitName, key: string): Promise<void>;
  /** Forgets a key's attempts (a successful login resets its username). */
  reset(limit: LimitName, key: string): Promise<void>;
}

export function createRateLimits(config: Config['rateLimits']): RateLimits {
  const make = (points: number, keyPrefix: string) =>
    new RateLimiterMemory({ points, duration: config.windowSeconds, keyPrefix });
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
