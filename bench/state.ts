// The one object a bench run works over: its settings, what it has measured,
// what went wrong, and what must be cleaned up on every way out (normal end,
// error, Ctrl-C).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, Settings } from './settings.js';

/** One load scenario's figures (scenarios.ts). */
export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  gqlErrors: number;
  /** Server CPU seconds per request, when /proc could tell. */
  serverCpuPerRequest: number | null;
  serverCpu: number | null;
  loadCpu: number;
  /** PostgreSQL + Redis processes' CPU (share of one core), when they are local; null on SQLite. */
  databaseCpu: number | null;
  /** CPU (share of one core) used meanwhile by anything else on the machine: other programs, steal. */
  otherCpu: number | null;
}

/** The subscription fan-out's samples, in ms (fanout.ts). */
export interface FanOutResult {
  subscribers: number;
  messages: number;
  mutation: number[];
  sendToAll: number[];
  responseToAll: number[];
  lost: number;
}

/** S5, mixed traffic with subscribers (mixed.ts); latencies in ms. */
export interface MixedResult {
  subscribers: number;
  /** HTTP requests per second of the whole mix (reads and writes). */
  rps: number;
  reads: number;
  writes: number;
  /** HTTP round trips of the mix. */
  p50: number;
  p99: number;
  /** Write's HTTP response at the client -> a subscriber has that message (0 when the event beat the response). */
  deliveryP50: number;
  deliveryP99: number;
  deliveries: number;
  /** Deliveries that arrived before the write's response (counted as 0 ms above). */
  beforeResponse: number;
  /** HTTP errors + GraphQL errors + missed or duplicate deliveries + subscription errors; any fails the run. */
  failures: number;
  serverCpu: number | null;
  loadCpu: number;
  /** CPU (share of one core) used meanwhile by anything else on the machine, as in LoadResult. */
  otherCpu: number | null;
}

/** S6, S1 alone and during a stream of bcrypt-cost-12 logins (loginStorm.ts). */
export interface LoginStormResult {
  alone: LoadResult;
  during: LoadResult;
  /** Logins answered while the storm ran, and how many of them were not a token (refusals included). */
  logins: number;
  loginFailures: number;
  loginsPerSecond: number;
  loginP50: number;
  loginP99: number;
  inFlight: number;
}

/** The data-layer floor of the page (floors.ts). */
export interface Floor {
  /** raw Prisma page, ops/s */
  prisma: number;
  /** the same SQL on the raw driver, ops/s */
  raw: number;
  sql: string[];
}

/** C3, one channel's members each subscribed to its events (conversationStreams.ts); latencies in ms. */
export interface ChannelFanOutResult {
  members: number;
  messages: number;
  /** The writer's createMessage round trips (one at a time). */
  sendP50: number;
  sendP99: number;
  /** The send's HTTP response here -> each member's copy here (0 when the copy beat the response). */
  deliveryP50: number;
  deliveryP99: number;
  deliveries: number;
  beforeResponse: number;
  missed: number;
  duplicates: number;
  subscriptionErrors: number;
}

/** C4, replay of the events a subscriber missed (conversationStreams.ts); times in ms. */
export interface ReplayResult {
  events: number;
  /** Per round: subscribe (connection included) -> every missed event received. */
  allReceived: number[];
  /** Per round: subscribe -> the first replayed event. */
  firstReceived: number[];
  /** The sends of the missed messages (one writer, one at a time, no subscriber live). */
  sendP50: number;
  /** Rounds whose events were not exactly the sent messages in order, plus subscription errors. */
  failures: number;
}

/** C1-C4 of one backend (conversations.ts). */
export interface ConversationsResult {
  /** S1 and C1 measured alternately (S1, C1, C1, S1) on one server and the same data. */
  s1: LoadResult[];
  c1: LoadResult[];
  /** C2 with the read position in the middle of the big conversation, and at its very start. */
  c2: LoadResult | null;
  c2FarBehind: LoadResult | null;
  /** Unread in the big conversation for each C2 variant (what the counts had to be). */
  c2Unread: { middle: number; farBehind: number };
  fanOut: ChannelFanOutResult | null;
  replay: ReplayResult | null;
}

/** What one backend's run measured. */
export interface BackendRun {
  backend: Backend;
  results: Map<string, LoadResult>;
  fanOut?: FanOutResult;
  floor?: Floor;
  conversations?: ConversationsResult;
}

export interface Run {
  settings: Settings;
  dbFile: string;
  /** Copy taken right after seeding: the floors read the data the read scenarios saw. */
  snapshotFile: string;
  workDir: string;
  runs: Map<Backend, BackendRun>;
  /** Set when something must fail the run; printed loudly where it happens. */
  problems: string[];
  /** Scenarios measured while other processes competed for the CPU (not a failure: a caveat). */
  disturbed: string[];
  mixed?: MixedResult;
  loginStorm?: LoginStormResult;
  /** Why the PostgreSQL part did not run or did not finish, when it did not. */
  postgresSkipped: string | null;
  /** Server processes not yet known to have exited. */
  children: Set<ChildProcess>;
  /** Set while the bench's PostgreSQL schema / Redis keys may exist; drops them. */
  externalCleanup: (() => Promise<void>) | null;
  /** A signal arrived: its handler cleans up and exits, main only stops. */
  interrupted: boolean;
}

export function createRun(settings: Settings): Run {
  const workDir = mkdtempSync(join(tmpdir(), 'messaging-bench-'));
  return {
    settings,
    workDir,
    dbFile: join(workDir, 'bench.db'),
    snapshotFile: join(workDir, 'snapshot.db'),
    runs: new Map(),
    problems: [],
    disturbed: [],
    postgresSkipped: null,
    children: new Set(),
    externalCleanup: null,
    interrupted: false,
  };
}

export function problem(run: Run, message: string) {
  run.problems.push(message);
  console.log(`\n  !!!!! ${message} !!!!!\n`);
}

export const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Idempotent: kill children, drop the schema and Redis keys, remove the temp directory. */
export async function cleanup(run: Run): Promise<void> {
  const exits = [...run.children].filter(alive).map((child) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    return exited;
  });
  await Promise.race([Promise.all(exits), sleep(3000)]);
  const external = run.externalCleanup;
  run.externalCleanup = null;
  if (external) {
    try {
      await Promise.race([external(), sleep(15_000).then(() => Promise.reject(new Error('timed out after 15 s')))]);
    } catch (error) {
      console.error(`  cleanup: ${(error as Error).message} (drop it by hand: DROP SCHEMA "${run.settings.postgres.schema}" CASCADE)`);
    }
  }
  rmSync(run.workDir, { recursive: true, force: true });
}

export function installExitHandlers(run: Run) {
  // 'exit' handlers must be synchronous: the last resort for children and files
  // (the schema is dropped by cleanup() on every path that can still await).
  process.on('exit', () => {
    for (const child of run.children) if (alive(child)) child.kill('SIGKILL');
    rmSync(run.workDir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (run.interrupted) process.exit(130); // a second Ctrl-C: stop waiting for cleanup
      run.interrupted = true;
      console.log(`\n${signal}: stopping, cleaning up (again to force)…`);
      void cleanup(run).finally(() => process.exit(130));
    });
  }
}
