import { createRequire } from 'node:module';
import { Piscina } from 'piscina';
import type { Config } from '../config.js';
import { rateLimited } from '../errors.js';
import type { PasswordTask } from './passwordWorker.js';

// Compiled, this module and the worker are .js. Under tsx (tests, `npm run
// dev`) they are .ts, and Node 20 does not apply `--import tsx` to worker
// threads, so the worker gets tsx's CommonJS hook, which piscina's require()
// of the handler file goes through.
const underTsx = import.meta.url.endsWith('.ts');
const WORKER_FILE = new URL(`./passwordWorker${underTsx ? '.ts' : '.js'}`, import.meta.url);
// Compiled, the worker gets no flags: V8's (heap sizing) are the process's
// anyway, and Worker refuses them as execArgv.
const WORKER_EXEC_ARGV = underTsx ? [...process.execArgv, '--require', createRequire(import.meta.url).resolve('tsx/cjs')] : [];

/** How long a hashing worker waits for work before it ends. */
const IDLE_MS = 10_000;

/** Used for the retryAfter estimate until the pool has timed a task. */
const FALLBACK_TASK_MS = 250;

/**
 * Hashes and checks passwords with bcrypt at a configured cost, in a bounded
 * pool of worker threads so logins never block other requests. When the pool's
 * queue is full, callers get RATE_LIMITED at once instead of waiting in line.
 *
 * `verifyOrWaste` compares against a dummy hash of the same cost when there is
 * no user, so a login for an unknown username takes as long as a wrong password.
 */
export class Passwords {
  private readonly pool: Piscina<PasswordTask, string | boolean>;
  private readonly rounds: number;
  /** Computed once, in the background from start, so no login pays for it. */
  private readonly dummyHash: Promise<string>;

  constructor(options: Config['passwordHashing']) {
    this.rounds = options.rounds;
    this.pool = new Piscina({
      filename: WORKER_FILE.href,
      execArgv: WORKER_EXEC_ARGV,
      // Up to `threads` workers, each ended after IDLE_MS without work: a
      // worker holds ~38 MB (its own V8 heap), and most of a chat server's
      // time has no login in it. The first hash after an idle spell starts
      // a worker again (~90 ms more, measured compiled; ~0.5 s under tsx).
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: IDLE_MS,
      maxQueue: options.maxQueue,
    });
    this.dummyHash = this.hash('dummy password for timing');
    // Awaited by the first unknown-user login; until then, do not let an early
    // close() turn it into an unhandled rejection.
    this.dummyHash.catch(() => {});
  }

  async hash(password: string): Promise<string> {
    return (await this.run({ kind: 'hash', password, rounds: this.rounds })) as string;
  }

  async verifyOrWaste(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      await this.run({ kind: 'compare', password, hash: await this.dummyHash });
      return false;
    }
    return (await this.run({ kind: 'compare', password, hash })) as boolean;
  }

  /** Waits for running hashes, then ends the worker threads. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async run(task: PasswordTask): Promise<string | boolean> {
    // Checked before queueing, in the same tick (so no race): piscina's own
    // refusal is a plain Error told apart only by its message.
    if (this.pool.queueSize >= this.pool.options.maxQueue) throw rateLimited(this.queueWaitSeconds());
    return this.pool.run(task);
  }

  /** Roughly how long the queued work takes to drain: a hint for retryAfter. */
  private queueWaitSeconds(): number {
    const taskMs = this.pool.histogram.runTime.mean || FALLBACK_TASK_MS;
    return ((this.pool.queueSize / this.pool.maxThreads + 1) * taskMs) / 1000;
  }
}
