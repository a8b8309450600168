// Redis for the scale-out tests: the machine's shared server (with a unique
// key prefix per test), or a private redis-server the test can stop and start.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './process.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** null when Redis answers PING, else why not. */
export async function redisProblem(url = TEST_REDIS_URL): Promise<string | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? null : 'no PONG';
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.disconnect();
  }
}

/** A skip reason when Redis is missing, or a failure when REQUIRE_REDIS=1. */
export async function skipWithoutRedis(): Promise<string | false> {
  const problem = await redisProblem();
  if (!problem) return false;
  const why = `Redis at ${TEST_REDIS_URL} is not reachable (${problem})`;
  if (process.env.REQUIRE_REDIS === '1') throw new Error(`${why}, and REQUIRE_REDIS=1`);
  return why;
}

export const uniquePrefix = () => `test:${randomBytes(4).toString('hex')}:`;

/** A private redis-server on a free port, for outage tests. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      if (!(await redisProblem(this.url))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
