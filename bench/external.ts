// PostgreSQL and Redis, as the bench sees them from outside the server: is
// each one there (else that part is skipped and the run says why), and
// removing what the run left in them.
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Settings } from './settings.js';

/** Fails fast and quietly: a missing Redis must give a reason, not retries and an unhandled 'error'. */
const redisClient = (url: string) =>
  new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });

/** A line for the header when PostgreSQL and Redis answer, or why the part is skipped. */
export async function probePostgresAndRedis({ postgres, redis: { url: redisUrl, prefix } }: Settings): Promise<{ info: string } | { skip: string }> {
  const pgUrl = new URL(postgres.adminUrl);
  const pgWhere = `${pgUrl.hostname}:${pgUrl.port || '5432'}${pgUrl.pathname}`;
  const redisWhere = (() => {
    const url = new URL(redisUrl);
    return `${url.hostname}:${url.port || '6379'}`;
  })();
  const client = new pg.Client({ connectionString: postgres.adminUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  let pgInfo: string;
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; sync: string; buffers: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync, current_setting('shared_buffers') AS buffers",
    );
    const row = rows[0]!;
    pgInfo =
      `PostgreSQL ${row.version.split(' ')[0]} at ${pgWhere} (schema ${postgres.schema}, pool ${postgres.poolSize}, ` +
      `synchronous_commit=${row.sync}, shared_buffers=${row.buffers})`;
  } catch (error) {
    return { skip: `skipped: PostgreSQL at ${pgWhere} is not reachable (${(error as Error).message || String(error)})` };
  } finally {
    await client.end().catch(() => {});
  }
  const redis = redisClient(redisUrl);
  // connect() only rejects with "Connection is closed."; the cause comes as an event.
  let cause: string | null = null;
  redis.on('error', (error: Error) => void (cause ??= error.message || (error as NodeJS.ErrnoException).code || null));
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    return { info: `${pgInfo}, Redis ${version} at ${redisWhere} (prefix ${prefix})` };
  } catch (error) {
    return { skip: `skipped: Redis at ${redisWhere} is not reachable (${cause ?? ((error as Error).message || String(error))})` };
  } finally {
    redis.disconnect();
  }
}

/** Drops the run's schema and deletes its Redis keys; throws with every step that failed. */
export async function dropPostgresResources({ postgres, redis: { url: redisUrl, prefix } }: Settings): Promise<void> {
  const errors: string[] = [];
  const client = new pg.Client({ connectionString: postgres.adminUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query("SET lock_timeout = '5s'");
    await client.query(`DROP SCHEMA IF EXISTS "${postgres.schema}" CASCADE`);
  } catch (error) {
    errors.push(`DROP SCHEMA ${postgres.schema} failed: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  // Events are pub/sub (no keys); rate-limit counters are keys under the prefix.
  const redis = redisClient(redisUrl);
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    errors.push(`deleting Redis keys ${prefix}* failed: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  if (errors.length) throw new Error(errors.join('; '));
}
