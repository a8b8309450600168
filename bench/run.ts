// The project's benchmark: `npm run bench`. Speed goals live here, never in
// tests (a test that fails on a slow CI machine teaches nothing).
//
// One run measures, on the same machine and the same data, for each backend:
//   1. the real server (a child process, so load generation does not share its
//      event loop) under autocannon: /healthz, me, a page, a deep page, a
//      nested page (DataLoader batching) and createMessage writes;
//   2. one subscription fan-out figure (graphql-ws);
//   3. the data-layer floor of the page: on SQLite, in this process after the
//      server stopped, the same Prisma calls and the same SQL on raw
//      better-sqlite3; on PostgreSQL, right after seeding (the server idle),
//      the same Prisma calls over adapter-pg and the same SQL on raw pg;
// then prints ratios, so a reader sees where a page's time goes (HTTP +
// GraphQL vs Prisma vs the database), and a side-by-side table of the two
// backends: embedded SQLite with in-process events (the default) against
// PostgreSQL + Redis (the scale-out backend), one instance each.
// Figures are only comparable within one run.
//
// Knobs (env): BENCH_BACKENDS (default "sqlite,postgresql"), BENCH_DURATION
// seconds per load scenario (default 5 with two backends, 8 with one),
// BENCH_CONNECTIONS (default 10), BENCH_SUBSCRIBERS (default 50, 0 skips the
// fan-out), BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test;
// the run creates and drops its own schema), BENCH_REDIS_URL (default
// redis://127.0.0.1:6379; the run uses its own key prefix and deletes its keys).
// When PostgreSQL or Redis does not answer, that part is skipped and the run
// says why. Exits non-zero when any response was an error.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { PrismaClient as PostgresPrismaClient } from '../src/generated/prisma-postgresql/client.js';
import { parsePostgresUrl, postgresAdapter } from '../src/db/postgresql.js';
import { newestFirst } from '../src/messages/service.js';
import { publicUserFields } from '../src/users/model.js';

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 && process.env[name] !== '' ? value : fallback;
};

type Backend = 'sqlite' | 'postgresql';
const LABEL: Record<Backend, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL + Redis' };

function parseBackends(): Backend[] {
  const raw = process.env.BENCH_BACKENDS?.trim() || 'sqlite,postgresql';
  const aliases: Record<string, Backend> = { sqlite: 'sqlite', postgresql: 'postgresql', postgres: 'postgresql', pg: 'postgresql' };
  const chosen = new Set<Backend>();
  for (const name of raw.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
    const backend = aliases[name];
    if (!backend) {
      console.error(`BENCH_BACKENDS: unknown backend "${name}" (expected a comma-separated list of sqlite, postgresql)`);
      process.exit(2);
    }
    chosen.add(backend);
  }
  // Always SQLite first: its section and floors print as they always have.
  return (['sqlite', 'postgresql'] as const).filter((backend) => chosen.has(backend));
}

const backends = parseBackends();
/**
 * Seconds per scenario unless BENCH_DURATION says: 8 for one backend; two
 * would take ~2.5 min at 8 s, so 5 s keeps the run under ~2 min. Set in
 * main() once it is known whether PostgreSQL + Redis answer.
 */
const durationFor = (backendCount: number) => envNumber('BENCH_DURATION', backendCount > 1 ? 5 : 8);

const settings = {
  duration: durationFor(backends.length),
  connections: envNumber('BENCH_CONNECTIONS', 10),
  warmup: 1, // seconds of unmeasured load before each scenario (JIT, caches)
  users: 20,
  messages: 2000,
  subscribers: envNumber('BENCH_SUBSCRIBERS', 50),
  fanOutMessages: 200,
};
/** Each data-layer floor loop runs this long (after a short warm-up). */
const floorSeconds = () => Math.max(1, settings.duration * 0.4);

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'messaging-bench-'));
const dbFile = join(workDir, 'bench.db');
/** Copy taken right after seeding: the floors read the data the read scenarios saw. */
const snapshotFile = join(workDir, 'snapshot.db');

/** The PostgreSQL + Redis run gets its own schema and key prefix, so concurrent test runs are not disturbed. */
const runId = `${process.pid}_${randomBytes(4).toString('hex')}`;
const postgres = (() => {
  const target = parsePostgresUrl(process.env.BENCH_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/test');
  const schema = `bench_${runId}`;
  const url = new URL(target.connectionString);
  url.searchParams.set('schema', schema);
  return {
    /** Without `?schema=`: for the checks and the final DROP SCHEMA. */
    adminUrl: target.connectionString,
    schema,
    /** The server's DATABASE_URL. */
    url: url.toString(),
    poolSize: envNumber('DATABASE_POOL_SIZE', 10),
  };
})();
const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const redisPrefix = `bench:${runId}:`;

/** Set when something must fail the run; printed loudly where it happens. */
const problems: string[] = [];
function problem(message: string) {
  problems.push(message);
  console.log(`\n  !!!!! ${message} !!!!!\n`);
}

// ---------------------------------------------------------------------------
// Cleanup: on every way out (normal end, error, Ctrl-C)
// ---------------------------------------------------------------------------

/** Server processes not yet known to have exited. */
const children = new Set<ChildProcess>();
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
/** Set while the bench's PostgreSQL schema / Redis keys may exist; drops them. */
let externalCleanup: (() => Promise<void>) | null = null;

async function dropPostgresResources(): Promise<void> {
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
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    errors.push(`deleting Redis keys ${redisPrefix}* failed: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  if (errors.length) throw new Error(errors.join('; '));
}

/** Idempotent: kill children, drop the schema and Redis keys, remove the temp directory. */
async function cleanup(): Promise<void> {
  const exits = [...children].filter(alive).map((child) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    return exited;
  });
  await Promise.race([Promise.all(exits), sleep(3000)]);
  const external = externalCleanup;
  externalCleanup = null;
  if (external) {
    try {
      await Promise.race([external(), sleep(15_000).then(() => Promise.reject(new Error('timed out after 15 s')))]);
    } catch (error) {
      console.error(`  cleanup: ${(error as Error).message} (drop it by hand: DROP SCHEMA "${postgres.schema}" CASCADE)`);
    }
  }
  rmSync(workDir, { recursive: true, force: true });
}

// 'exit' handlers must be synchronous: the last resort for children and files
// (the schema is dropped by cleanup() on every path that can still await).
process.on('exit', () => {
  for (const child of children) if (alive(child)) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: stop waiting for cleanup
    interrupted = true;
    console.log(`\n${signal}: stopping, cleaning up (again to force)…`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------
// The server, as its own process
// ---------------------------------------------------------------------------

interface ServerProcess {
  backend: Backend;
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function backendEnv(backend: Backend): NodeJS.ProcessEnv {
  // undefined drops an inherited variable: the SQLite run must not pick up a
  // REDIS_URL from the caller's shell.
  return backend === 'sqlite'
    ? { DATABASE_URL: `file:${dbFile}`, REDIS_URL: undefined, REDIS_PREFIX: undefined }
    : { DATABASE_URL: postgres.url, DATABASE_POOL_SIZE: String(postgres.poolSize), REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix };
}

async function startServer(backend: Backend): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BCRYPT_ROUNDS: '4', // the bench measures the API, not bcrypt
      LOG_LEVEL: 'warn', // so anything the server prints is worth reading
      ...backendEnv(backend),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start within 30 s:\n${output}`);
    await sleep(100);
  }
  return { backend, child, base, output: () => output };
}

/** Graceful stop (SIGTERM), as a deploy would; SIGKILL if it hangs. */
async function stopServer(proc: ServerProcess) {
  if (!alive(proc.child)) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) the process has used so far, from /proc; null elsewhere. */
function processCpuSeconds(pid: number | undefined): number | null {
  try {
    // Fields after the "(comm)" part: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * CPU seconds per process of every local postgres and redis-server process
 * (machine-wide: includes anything else using them), or null when /proc shows
 * none (a remote database, or not Linux).
 */
function databaseCpuSnapshot(): Map<number, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const snapshot = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres' && comm !== 'redis-server') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      snapshot.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // gone meanwhile
    }
  }
  return snapshot.size ? snapshot : null;
}

/** CPU seconds all cores have been busy so far (including steal), from /proc/stat; null elsewhere. */
function machineBusySeconds(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}

/** A scenario during which other processes used more than this share of a core is flagged as disturbed. */
const DISTURBED_CPU = 0.15;

/** CPU seconds the database processes used between two snapshots (new processes count from 0). */
function databaseCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

// ---------------------------------------------------------------------------
// Seeding through the API (it also checks the write path works)
// ---------------------------------------------------------------------------

interface GraphQLResult {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function gql(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as GraphQLResult;
  if (!response.ok || result.errors || !result.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const CREATE = 'mutation Create($content: String!) { createMessage(input: { content: $content }) { id } }';

async function seed(url: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < settings.users; i++) {
    const data = await gql(
      url,
      'mutation R($input: RegisterInput!) { register(input: $input) { accessToken } }',
      { input: { username: `bench_user_${String(i).padStart(2, '0')}`, password: 'correct horse battery staple' } },
    );
    tokens.push(data.register.accessToken);
  }
  // Authors take turns, so a page of 20 has 20 different authors: the nested
  // scenario then really asks for 20 users' pages.
  const indexes = Array.from({ length: settings.messages }, (_, i) => i);
  await inParallel(indexes, 10, async (i) => {
    await gql(url, CREATE, { content: `Seed message ${i}: lorem ipsum dolor sit amet.` }, tokens[i % tokens.length]);
  });
  return tokens;
}

/** The cursor of the 1,000th newest message, found by paging like a client would. */
async function cursorAfter(url: string, token: string, count: number): Promise<string> {
  let after: string | null = null;
  for (let seen = 0; seen < count; seen += 100) {
    const data = await gql(
      url,
      'query P($after: String) { messages(first: 100, after: $after) { pageInfo { endCursor } } }',
      { after },
      token,
    );
    after = data.messages.pageInfo.endCursor;
  }
  return after!;
}

// ---------------------------------------------------------------------------
// HTTP load scenarios (autocannon)
// ---------------------------------------------------------------------------

interface Scenario {
  name: string;
  path: '/graphql' | '/healthz';
  query?: string;
  variables?: Record<string, unknown>;
  /** Says what is wrong with a sample response, or null when it looks right. */
  check: (body: any) => string | null; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface LoadResult {
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

/** What one backend's run measured. */
interface BackendRun {
  backend: Backend;
  results: Map<string, LoadResult>;
  fanOut?: FanOutResult;
  floor?: Floor;
}

const runs = new Map<Backend, BackendRun>();
/** Scenarios measured while other processes competed for the CPU (not a failure: a caveat). */
const disturbed: string[] = [];
/** Why the PostgreSQL part did not run or did not finish, when it did not. */
let postgresSkipped: string | null = null;

function requestOptions(scenario: Scenario, token: string) {
  if (scenario.path === '/healthz') return { method: 'GET' as const };
  return {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  };
}

/** Sends the scenario's request once and checks the answer before loading it. */
async function checkSample(base: string, scenario: Scenario, token: string, label: string): Promise<boolean> {
  const options = requestOptions(scenario, token);
  const response = await fetch(base + scenario.path, options);
  const text = await response.text();
  let body: GraphQLResult | undefined;
  try {
    body = JSON.parse(text) as GraphQLResult;
  } catch {
    // reported below
  }
  const wrong =
    !response.ok ? `HTTP ${response.status}`
    : !body ? 'not JSON'
    : body.errors ? 'GraphQL errors'
    : scenario.check(body);
  if (wrong) problem(`${label}${scenario.name}: sample response is wrong (${wrong}), scenario skipped; body: ${text.trim().slice(0, 300)}`);
  return !wrong;
}

async function runLoad(server: ServerProcess, run: BackendRun, scenario: Scenario, token: string): Promise<void> {
  const label = server.backend === 'sqlite' ? '' : `${LABEL[server.backend]}: `;
  if (!(await checkSample(server.base, scenario, token, label))) return;
  const options = {
    url: server.base + scenario.path,
    connections: settings.connections,
    ...requestOptions(scenario, token),
    // A GraphQL error still comes back as HTTP 200: count those separately
    // (autocannon calls them "mismatches").
    verifyBody: (body: string | Buffer | undefined) => {
      const text = String(body ?? '');
      return scenario.path === '/healthz' ? text.includes('"ok"') : !text.includes('"errors"');
    },
  };
  await autocannon({ ...options, duration: settings.warmup });

  // Own latency samples: autocannon's histogram has 1 ms resolution, too
  // coarse for sub-millisecond requests. (Its typings omit the first
  // argument, the client, that the 'response' event really passes.)
  const latencies: number[] = [];
  const measureDatabase = server.backend === 'postgresql';
  const serverCpuBefore = processCpuSeconds(server.child.pid);
  const databaseCpuBefore = databaseCpuSnapshot();
  const machineBefore = machineBusySeconds();
  const loadCpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: settings.duration }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on('response', (...args: unknown[]) => void latencies.push(args[3] as number));
  });
  const serverCpuAfter = processCpuSeconds(server.child.pid);
  const databaseCpu = databaseCpuBetween(databaseCpuBefore, databaseCpuSnapshot());
  const machineAfter = machineBusySeconds();
  const loadCpu = process.cpuUsage(loadCpuBefore);

  latencies.sort((a, b) => a - b);
  const serverCpu = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  const total = latencies.length;
  const row: LoadResult = {
    name: scenario.name,
    rps: result.requests.total / result.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    gqlErrors: result.mismatches,
    serverCpuPerRequest: serverCpu === null || total === 0 ? null : serverCpu / total,
    serverCpu: serverCpu === null ? null : serverCpu / result.duration,
    loadCpu: (loadCpu.user + loadCpu.system) / 1e6 / result.duration,
    databaseCpu: !measureDatabase || databaseCpu === null ? null : databaseCpu / result.duration,
    otherCpu:
      machineBefore === null || machineAfter === null || serverCpu === null
        ? null
        : Math.max(0, machineAfter - machineBefore - serverCpu - (loadCpu.user + loadCpu.system) / 1e6 - (databaseCpu ?? 0)) / result.duration,
  };
  run.results.set(scenario.name, row);
  printRow(row, measureDatabase);
  if (row.otherCpu !== null && row.otherCpu > DISTURBED_CPU) {
    disturbed.push(`${label}${scenario.name}`);
    console.log(`  ^ other processes on this machine used ${pct(row.otherCpu)} of a core meanwhile: this row is disturbed`);
  }
  if (row.errors || row.non2xx || row.gqlErrors) {
    problem(
      `${label}${scenario.name}: ${row.errors} connection errors/timeouts, ${row.non2xx} non-2xx, ${row.gqlErrors} GraphQL error responses under load`,
    );
  }
}

const PAGE_FIELDS =
  'totalCount edges { cursor node { id content createdAt author { id username } } } pageInfo { hasNextPage endCursor }';

/** A full page of 20 with an author on each node. */
const isFullPage = (body: any) => // eslint-disable-line @typescript-eslint/no-explicit-any
  body.data?.messages?.edges?.length === 20 && body.data.messages.edges.every((edge: any) => edge.node.author?.username) // eslint-disable-line @typescript-eslint/no-explicit-any
    ? null
    : 'expected 20 edges with authors';

const HEALTHZ = 'healthz (transport floor)';
const ME = 'me';
const PAGE = 'page of 20 + authors';
const DEEP = 'deep page (after #1000)';
const NESTED = 'nested page (DataLoader)';
const WRITE = 'createMessage (write)';

function scenarios(deepCursor: string): Scenario[] {
  return [
    { name: HEALTHZ, path: '/healthz', check: (b) => (b.status === 'ok' ? null : 'expected status ok') },
    {
      name: ME,
      path: '/graphql',
      query: '{ me { id username } }',
      check: (b) => (b.data?.me?.username ? null : 'expected me.username'),
    },
    { name: PAGE, path: '/graphql', query: `{ messages(first: 20) { ${PAGE_FIELDS} } }`, check: isFullPage },
    {
      name: DEEP,
      path: '/graphql',
      query: `query Deep($after: String) { messages(first: 20, after: $after) { ${PAGE_FIELDS} } }`,
      variables: { after: deepCursor },
      check: isFullPage,
    },
    {
      name: NESTED,
      path: '/graphql',
      query: '{ messages(first: 20) { edges { node { author { messages(first: 5) { edges { node { id } } } } } } } }',
      check: (b) =>
        b.data?.messages?.edges?.length === 20 &&
        b.data.messages.edges.every((e: any) => e.node.author.messages.edges.length === 5) // eslint-disable-line @typescript-eslint/no-explicit-any
          ? null
          : 'expected 20 edges, each author with 5 messages',
    },
    // Last: writes grow the table the read scenarios above measured.
    {
      name: WRITE,
      path: '/graphql',
      query: 'mutation { createMessage(input: { content: "Benchmark write: lorem ipsum dolor sit amet." }) { id createdAt } }',
      check: (b) => (b.data?.createMessage?.id ? null : 'expected createMessage.id'),
    },
  ];
}

// ---------------------------------------------------------------------------
// Subscription fan-out (graphql-ws)
// ---------------------------------------------------------------------------

interface FanOutResult {
  subscribers: number;
  messages: number;
  mutation: number[];
  sendToAll: number[];
  responseToAll: number[];
  lost: number;
}

/**
 * N clients subscribe to messageCreated; messages are posted one at a time.
 * For each: mutation round trip, send -> 50th delivery, and response -> 50th
 * delivery (0 when all deliveries beat the HTTP response: the server publishes
 * before it answers the mutation).
 */
async function fanOut(base: string, tokens: string[], label: string): Promise<FanOutResult> {
  const url = `${base}/graphql`;
  const waiting = new Map<string, { times: number[]; done: () => void }>();
  const received = new Array<number>(settings.subscribers).fill(0);
  const clients: Client[] = [];
  let subscriptionErrors = 0;
  try {
    for (let i = 0; i < settings.subscribers; i++) {
      const client = createClient({
        url: url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => void subscriptionErrors++,
        connectionParams: { authorization: `Bearer ${tokens[i % tokens.length]}` },
      });
      clients.push(client);
      client.subscribe<{ messageCreated: { content: string } }>(
        { query: 'subscription { messageCreated { id content createdAt author { id username } } }' },
        {
          next: (result) => {
            if (result.errors || !result.data) return void subscriptionErrors++;
            received[i]!++;
            const entry = waiting.get(result.data.messageCreated.content);
            if (!entry) return;
            entry.times.push(performance.now());
            if (entry.times.length === settings.subscribers) entry.done();
          },
          error: () => void subscriptionErrors++,
          complete: () => {},
        },
      );
    }
    // A subscription is live only once the server has processed it (with
    // Redis: once the SUBSCRIBE is acknowledged): post probes until every
    // client has seen one.
    for (let probe = 0; received.some((count) => count === 0); probe++) {
      if (probe > 100) throw new Error('subscribers did not all receive a probe message within ~10 s');
      await gql(url, CREATE, { content: `probe ${probe}` }, tokens[0]);
      await sleep(100);
    }

    const out: FanOutResult = { subscribers: settings.subscribers, messages: settings.fanOutMessages, mutation: [], sendToAll: [], responseToAll: [], lost: 0 };
    for (let m = 0; m < settings.fanOutMessages; m++) {
      const content = `fan-out ${m}`;
      const times: number[] = [];
      const allDelivered = new Promise<boolean>((resolve) => {
        waiting.set(content, { times, done: () => resolve(true) });
        setTimeout(() => resolve(false), 5_000).unref();
      });
      const sent = performance.now();
      await gql(url, CREATE, { content }, tokens[m % tokens.length]);
      const answered = performance.now();
      const complete = await allDelivered;
      waiting.delete(content);
      if (!complete) {
        out.lost += settings.subscribers - times.length;
        continue;
      }
      const last = Math.max(...times);
      out.mutation.push(answered - sent);
      out.sendToAll.push(last - sent);
      out.responseToAll.push(Math.max(0, last - answered));
    }
    if (subscriptionErrors) problem(`${label}fan-out: ${subscriptionErrors} subscription errors`);
    if (out.lost) problem(`${label}fan-out: ${out.lost} deliveries did not arrive within 5 s`);
    return out;
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

// ---------------------------------------------------------------------------
// Data-layer floors, in this process
// ---------------------------------------------------------------------------

/** The data work of the page scenario, as the resolvers do it: rows, then count and authors together. */
async function prismaPage(db: PrismaClient) {
  const rows = await db.message.findMany({ orderBy: newestFirst, take: 21 });
  const authorIds = [...new Set(rows.slice(0, 20).map((row) => row.authorId))];
  return Promise.all([
    db.message.count(),
    db.user.findMany({ where: { id: { in: authorIds } }, select: publicUserFields }),
  ]);
}

/** Iterations per second of `op`, run back to back (one in flight, like a single-threaded server at full load). */
async function opsPerSecond(op: () => unknown): Promise<number> {
  // Prisma's JIT-heavy path needs about a second to settle.
  const warmEnd = performance.now() + 1000;
  while (performance.now() < warmEnd) await op();
  let count = 0;
  const start = performance.now();
  const end = start + floorSeconds() * 1000;
  while (performance.now() < end) {
    await op();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

interface Floor {
  /** raw Prisma page, ops/s */
  prisma: number;
  /** the same SQL on the raw driver, ops/s */
  raw: number;
  sql: string[];
}

async function sqliteFloors(): Promise<Floor> {
  // One logged pass records the exact SQL (and parameters) Prisma sends, so the
  // raw better-sqlite3 loop runs the same statements, not a hand-written guess.
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const logged = new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: snapshotFile }),
    log: [{ emit: 'event', level: 'query' }],
  });
  logged.$on('query', (event) => void statements.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] }));
  await prismaPage(logged);
  await logged.$disconnect();

  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: snapshotFile }) });
  const prisma = await opsPerSecond(() => prismaPage(db));
  await db.$disconnect();

  const raw = new Database(snapshotFile, { readonly: true });
  const prepared = statements.map(({ sql, params }) => ({ statement: raw.prepare(sql), params }));
  const sqlite = await opsPerSecond(() => {
    for (const { statement, params } of prepared) statement.all(...params);
  });
  raw.close();
  return { prisma, raw: sqlite, sql: statements.map((s) => s.sql) };
}

/**
 * The same floors on PostgreSQL: Prisma over adapter-pg (the server's pool
 * size), then the SQL Prisma sent on a raw node-postgres pool, in the same
 * shape (the rows first, then count and authors in parallel on two connections).
 */
async function postgresFloors(): Promise<Floor> {
  const target = parsePostgresUrl(postgres.url);
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const logged = new PostgresPrismaClient({ adapter: postgresAdapter(target, postgres.poolSize), log: [{ emit: 'event', level: 'query' }] });
  logged.$on('query', (event) => void statements.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] }));
  await prismaPage(logged as unknown as PrismaClient);
  await logged.$disconnect();

  const db = new PostgresPrismaClient({ adapter: postgresAdapter(target, postgres.poolSize) });
  try {
    const prisma = await opsPerSecond(() => prismaPage(db as unknown as PrismaClient));
    const pool = new pg.Pool({ connectionString: target.connectionString, max: postgres.poolSize, options: `-c search_path=${target.schema}` });
    try {
      const [first, ...rest] = statements;
      const raw = await opsPerSecond(async () => {
        if (first) await pool.query(first.sql, first.params);
        await Promise.all(rest.map(({ sql, params }) => pool.query(sql, params)));
      });
      return { prisma, raw, sql: statements.map((s) => s.sql) };
    } finally {
      await pool.end();
    }
  } finally {
    await db.$disconnect();
  }
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(2);
const pct = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n * 100)}%`);
const times = (n: number) => `${n.toFixed(2)}×`;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

function printHeader(postgresInfo: string | null) {
  const cpu = cpus();
  console.log('messaging-api benchmark');
  console.log(`  node ${process.version} · ${cpu[0]?.model ?? 'unknown CPU'} · ${cpu.length} cores`);
  const durationNote =
    process.env.BENCH_DURATION ? ' (BENCH_DURATION)'
    : settings.duration !== 8 ? ' (default lowered from 8 s while two backends run, to stay under ~3 min; BENCH_DURATION overrides)'
    : '';
  console.log(
    `  ${settings.duration} s per scenario${durationNote} (+${settings.warmup} s warm-up), ${settings.connections} connections, ` +
      `${settings.users} users, ${settings.messages.toLocaleString('en-US')} messages seeded through the API`,
  );
  console.log(`  backends (BENCH_BACKENDS): ${backends.map((backend) => LABEL[backend]).join(', ')}`);
  console.log('  server: child process, NODE_ENV=production, LOG_LEVEL=warn, one instance per backend, one backend at a time');
  if (backends.includes('sqlite')) console.log('    SQLite: fresh temp SQLite file; events and rate limits in process memory');
  if (postgresInfo) console.log(`    PostgreSQL + Redis: ${postgresInfo}`);
  console.log('  BCRYPT_ROUNDS=4: login/register cost is not what this measures (no scenario hashes passwords)');
  console.log('  autocannon and the server each get ~1 of the 2 cores: "srv CPU" near 100% means the server is the bottleneck');
  if (postgresInfo) {
    console.log('  on PostgreSQL, postgres and redis-server share the same cores: "db CPU" is theirs (machine-wide, local processes)');
  }
  console.log(`  a row is flagged "disturbed" when other processes (or steal) used over ${pct(DISTURBED_CPU)} of a core during it`);
}

const COLUMNS = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'gql err', 'srv CPU', 'gen CPU', 'srv µs/req', 'db CPU'];
const WIDTHS = [28, 8, 7, 7, 7, 8, 8, 8, 8, 11, 8];
const line = (cells: string[], widths = WIDTHS) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('');
const columns = (withDatabase: boolean) => line(withDatabase ? COLUMNS : COLUMNS.slice(0, -1));

function printRow(row: LoadResult, withDatabase: boolean) {
  const cells = [
    row.name,
    int(row.rps),
    ms(row.p50),
    ms(row.p99),
    String(row.errors),
    String(row.non2xx),
    String(row.gqlErrors),
    pct(row.serverCpu),
    pct(row.loadCpu),
    row.serverCpuPerRequest === null ? 'n/a' : int(row.serverCpuPerRequest * 1e6),
  ];
  if (withDatabase) cells.push(pct(row.databaseCpu));
  console.log(line(cells));
}

function printFanOut(result: FanOutResult) {
  const [mutation, sendToAll, responseToAll] = [result.mutation, result.sendToAll, result.responseToAll].map(sorted);
  console.log(`\nSubscription fan-out: ${result.subscribers} graphql-ws clients on messageCreated, ${result.messages} messages posted one at a time`);
  console.log(`  mutation round trip        p50 ${ms(percentile(mutation!, 0.5))} ms   p99 ${ms(percentile(mutation!, 0.99))} ms`);
  console.log(`  send -> all ${result.subscribers} delivered     p50 ${ms(percentile(sendToAll!, 0.5))} ms   p99 ${ms(percentile(sendToAll!, 0.99))} ms`);
  console.log(
    `  response -> all delivered  p50 ${ms(percentile(responseToAll!, 0.5))} ms   p99 ${ms(percentile(responseToAll!, 0.99))} ms` +
      '   (0 = all had arrived before the HTTP response)',
  );
}

const ratio = (label: string, slow: number | undefined, fast: number | undefined, meaning: string) =>
  console.log(`  ${label.padEnd(34)}${(slow && fast ? times(fast / slow) : 'n/a').padStart(9)}   ${meaning}`);

/** The SQLite section's floors, ratios and CPU breakdown. */
function printRatios(run: BackendRun, floor: Floor) {
  const rps = (name: string) => run.results.get(name)?.rps;
  const page = rps(PAGE);

  console.log(`\nData-layer floor of the page (this process, sequential loop, ${floorSeconds().toFixed(1)} s each, snapshot of the seeded data)`);
  console.log(`  raw Prisma (findMany 21 + count + authors)  ${int(floor.prisma).padStart(8)} ops/s  ${int(1e6 / floor.prisma).padStart(6)} µs/op`);
  console.log(`  raw better-sqlite3, same SQL                ${int(floor.raw).padStart(8)} ops/s  ${int(1e6 / floor.raw).padStart(6)} µs/op`);

  console.log('\nRatios (time per request; bigger = the left side costs more)');
  ratio('API page / Prisma page', page, floor.prisma, 'HTTP + auth + GraphQL on top of the data work');
  ratio('Prisma page / raw SQLite page', floor.prisma, floor.raw, 'Prisma on top of the same SQL');
  ratio('me / healthz', rps(ME), rps(HEALTHZ), 'GraphQL + JWT + one query vs bare HTTP');
  ratio('deep page / first page', rps(DEEP), page, '~1× if the cursor seeks, >1× if it scans');
  ratio('nested page / page', rps(NESTED), page, '20 authors × 5 messages, batched');
  ratio('write / page', rps(WRITE), page, 'one INSERT (WAL, synchronous=NORMAL) + publish');

  const api = run.results.get(PAGE);
  if (api?.serverCpuPerRequest) {
    const apiUs = api.serverCpuPerRequest * 1e6;
    const sqliteUs = 1e6 / floor.raw;
    const prismaUs = 1e6 / floor.prisma - sqliteUs;
    const restUs = apiUs - sqliteUs - prismaUs;
    const share = (us: number) => `${int(us).padStart(6)} µs  ${pct(us / apiUs).padStart(4)}`;
    console.log(`\nWhere a page's server CPU time goes (${int(apiUs)} µs per request)`);
    console.log(`  SQLite (the SQL itself)           ${share(sqliteUs)}`);
    console.log(`  Prisma (query building, mapping)  ${share(prismaUs)}`);
    console.log(`  HTTP + auth + GraphQL + rest      ${share(restUs)}`);
  }
}

/** The PostgreSQL section's floors and ratios. */
function printPostgresRatios(run: BackendRun, floor: Floor) {
  const rps = (name: string) => run.results.get(name)?.rps;
  const page = rps(PAGE);

  console.log(
    `\nData-layer floor of the page on PostgreSQL (this process, right after seeding with the server idle, sequential loop, ` +
      `${floorSeconds().toFixed(1)} s each, pool of ${postgres.poolSize})`,
  );
  console.log(`  raw Prisma over adapter-pg (same calls)     ${int(floor.prisma).padStart(8)} ops/s  ${int(1e6 / floor.prisma).padStart(6)} µs/op`);
  console.log(`  raw pg (node-postgres), same SQL            ${int(floor.raw).padStart(8)} ops/s  ${int(1e6 / floor.raw).padStart(6)} µs/op`);

  console.log('\nRatios (time per request; bigger = the left side costs more)');
  ratio('API page / Prisma page', page, floor.prisma, 'HTTP + auth + GraphQL on top of the data work');
  ratio('Prisma page / raw pg page', floor.prisma, floor.raw, 'Prisma on top of the same SQL');
  ratio('me / healthz', rps(ME), rps(HEALTHZ), 'GraphQL + JWT + one query vs bare HTTP');
  ratio('deep page / first page', rps(DEEP), page, '~1× if the cursor seeks, >1× if it scans');
  ratio('nested page / page', rps(NESTED), page, '20 authors × 5 messages, batched');
  ratio('write / page', rps(WRITE), page, 'one INSERT (committed with fsync) + Redis publish');
}

function printSql(floor: Floor) {
  console.log("\nThe page's SQL, as Prisma sent it (the raw loop replays these):");
  for (const sql of floor.sql) console.log(`  ${sql.replaceAll('`main`.', '').replaceAll('`', '').replace(/"bench_\w+"\./g, '').replaceAll('"', '').slice(0, 150)}`);
}

function printServerOutput(server: ServerProcess) {
  const output = server.output().trim();
  if (output) {
    const lines = output.split('\n');
    console.log(`\nThe server printed ${lines.length} line(s) at LOG_LEVEL=warn (first 5):`);
    for (const text of lines.slice(0, 5)) console.log(`  ${text.slice(0, 300)}`);
  }
}

/** SQLite | PostgreSQL + Redis, scenario by scenario. */
function printComparison() {
  const sqlite = runs.get('sqlite');
  const postgresql = runs.get('postgresql');
  if (!sqlite || !postgresql || postgresql.results.size === 0) {
    if (backends.length > 1) {
      console.log(`\nSQLite vs PostgreSQL + Redis: no comparison (${postgresSkipped ? `PostgreSQL part ${postgresSkipped}` : 'the SQLite part did not run'})`);
    }
    return;
  }
  const widths = [28, 13, 10, 11, 17, 17, 24];
  const pair = (a: number | undefined, b: number | undefined, format: (n: number) => string) =>
    `${a === undefined ? 'n/a' : format(a)} | ${b === undefined ? 'n/a' : format(b)}`;
  console.log('\nSQLite vs PostgreSQL + Redis, one instance each (same machine, same scenarios, same run)');
  console.log('  PG/SQLite = PostgreSQL req/s ÷ SQLite req/s (below 1× = the scale-out backend serves fewer); latencies "SQLite | PG"');
  console.log('  CPU µs/req: SQLite = the server process (the database is inside it) | PG = server process + postgres/redis-server');
  console.log(line(['scenario', 'SQLite req/s', 'PG req/s', 'PG/SQLite', 'p50 ms', 'p99 ms', 'CPU µs/req'], widths));
  const cpuPerRequest = (row: LoadResult | undefined, withDatabase: boolean) => {
    if (!row || row.serverCpuPerRequest === null) return 'n/a';
    const server = row.serverCpuPerRequest * 1e6;
    if (!withDatabase) return int(server);
    return row.databaseCpu === null ? `${int(server)}+n/a` : `${int(server)}+${int((row.databaseCpu / row.rps) * 1e6)}`;
  };
  const isDisturbed = (row: LoadResult) => row.otherCpu !== null && row.otherCpu > DISTURBED_CPU;
  let anyDisturbed = false;
  for (const name of [HEALTHZ, ME, PAGE, DEEP, NESTED, WRITE]) {
    const a = sqlite.results.get(name);
    const b = postgresql.results.get(name);
    console.log(
      line(
        [
          name === HEALTHZ ? 'healthz (control: no DB)' : name,
          a ? int(a.rps) : 'n/a',
          b ? int(b.rps) : 'n/a',
          a && b ? `${times(b.rps / a.rps)}${isDisturbed(a) || isDisturbed(b) ? '*' : ''}` : 'n/a',
          pair(a?.p50, b?.p50, ms),
          pair(a?.p99, b?.p99, ms),
          `${cpuPerRequest(a, false)} | ${cpuPerRequest(b, true)}`,
        ],
        widths,
      ),
    );
    if ((a && isDisturbed(a)) || (b && isDisturbed(b))) anyDisturbed = true;
  }
  if (anyDisturbed) console.log(`  * other processes used over ${pct(DISTURBED_CPU)} of a core during one side's measurement: that ratio is unreliable`);

  if (sqlite.fanOut && postgresql.fanOut) {
    const fanWidths = [34, 21, 21, 13];
    const { subscribers, messages } = postgresql.fanOut;
    console.log(`\nSubscription fan-out, ${subscribers} clients, ${messages} messages one at a time (PG/SQLite = PG p50 ÷ SQLite p50; above 1× = slower)`);
    console.log(line(['', 'SQLite p50 | p99 ms', 'PG p50 | p99 ms', 'PG/SQLite'], fanWidths));
    const rows: Array<[string, keyof FanOutResult]> = [
      ['  mutation round trip', 'mutation'],
      [`  send -> all ${subscribers} delivered`, 'sendToAll'],
      ['  response -> all delivered', 'responseToAll'],
    ];
    for (const [label, key] of rows) {
      const a = sorted(sqlite.fanOut[key] as number[]);
      const b = sorted(postgresql.fanOut[key] as number[]);
      const [a50, b50] = [percentile(a, 0.5), percentile(b, 0.5)];
      console.log(
        line(
          [
            label,
            `${ms(a50)} | ${ms(percentile(a, 0.99))}`,
            `${ms(b50)} | ${ms(percentile(b, 0.99))}`,
            a50 > 0.05 ? times(b50 / a50) : 'n/a',
          ],
          fanWidths,
        ),
      );
    }
  }

  if (sqlite.floor && postgresql.floor) {
    const floorWidths = [34, 21, 21, 13];
    console.log('\nData-layer floor of the page (ops/s, one in flight; PG/SQLite below 1× = slower)');
    console.log(line(['', 'SQLite ops/s', 'PG ops/s', 'PG/SQLite'], floorWidths));
    console.log(line(['  raw Prisma', int(sqlite.floor.prisma), int(postgresql.floor.prisma), times(postgresql.floor.prisma / sqlite.floor.prisma)], floorWidths));
    console.log(line(['  raw driver (better-sqlite3 | pg)', int(sqlite.floor.raw), int(postgresql.floor.raw), times(postgresql.floor.raw / sqlite.floor.raw)], floorWidths));
  }
}

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

/** A line for the header when PostgreSQL and Redis answer, or why the part is skipped. */
async function probePostgresAndRedis(): Promise<{ info: string } | { skip: string }> {
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
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  // connect() only rejects with "Connection is closed."; the cause comes as an event.
  let cause: string | null = null;
  redis.on('error', (error: Error) => void (cause ??= error.message || (error as NodeJS.ErrnoException).code || null));
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    return { info: `${pgInfo}, Redis ${version} at ${redisWhere} (prefix ${redisPrefix})` };
  } catch (error) {
    return { skip: `skipped: Redis at ${redisWhere} is not reachable (${cause ?? ((error as Error).message || String(error))})` };
  } finally {
    redis.disconnect();
  }
}

async function seedAndReport(server: ServerProcess) {
  const url = `${server.base}/graphql`;
  const seedStart = performance.now();
  const tokens = await seed(url);
  const deepCursor = await cursorAfter(url, tokens[0]!, 1000);
  console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);
  return { tokens, deepCursor };
}

async function runSqlite() {
  const run: BackendRun = { backend: 'sqlite', results: new Map() };
  runs.set('sqlite', run);
  console.log('\n=== SQLite (embedded, events and rate limits in memory) ===');
  const server = await startServer('sqlite');
  try {
    const { tokens, deepCursor } = await seedAndReport(server);
    const source = new Database(dbFile, { readonly: true });
    await source.backup(snapshotFile);
    source.close();

    console.log(columns(false));
    for (const scenario of scenarios(deepCursor)) await runLoad(server, run, scenario, tokens[0]!);

    if (settings.subscribers > 0) printFanOut((run.fanOut = await fanOut(server.base, tokens, '')));

    await stopServer(server);
    run.floor = await sqliteFloors();
    printRatios(run, run.floor);
    printSql(run.floor);
    printServerOutput(server);
  } finally {
    if (alive(server.child)) server.child.kill('SIGKILL');
  }
}

async function runPostgres() {
  const run: BackendRun = { backend: 'postgresql', results: new Map() };
  runs.set('postgresql', run);
  console.log('\n=== PostgreSQL + Redis (the scale-out backend, one instance) ===');
  // From here on the schema and Redis keys may exist: every way out drops them.
  externalCleanup = dropPostgresResources;
  let server: ServerProcess | null = null;
  try {
    server = await startServer('postgresql');
    const { tokens, deepCursor } = await seedAndReport(server);
    // Measured now, on the data the read scenarios will see (no snapshot here);
    // the server is idle meanwhile.
    run.floor = await postgresFloors();

    console.log(columns(true));
    for (const scenario of scenarios(deepCursor)) await runLoad(server, run, scenario, tokens[0]!);

    if (settings.subscribers > 0) printFanOut((run.fanOut = await fanOut(server.base, tokens, `${LABEL.postgresql}: `)));

    await stopServer(server);
    printPostgresRatios(run, run.floor);
    printSql(run.floor);
    printServerOutput(server);
  } finally {
    if (server && alive(server.child)) {
      const exited = new Promise((resolve) => server!.child.once('exit', resolve));
      server.child.kill('SIGKILL');
      await exited;
    }
    const drop = externalCleanup;
    externalCleanup = null;
    if (drop) {
      try {
        await drop();
        console.log(`\n  dropped schema ${postgres.schema} and Redis keys ${redisPrefix}*`);
      } catch (error) {
        problem(`cleanup: ${(error as Error).message}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  let postgresInfo: string | null = null;
  if (backends.includes('postgresql')) {
    const probe = await probePostgresAndRedis();
    if ('skip' in probe) postgresSkipped = probe.skip;
    else postgresInfo = probe.info;
  }
  settings.duration = durationFor(backends.filter((backend) => backend === 'sqlite' || !postgresSkipped).length);
  printHeader(postgresInfo);

  if (backends.includes('sqlite')) {
    try {
      await runSqlite();
    } catch (error) {
      if (interrupted) return;
      problem(`SQLite part failed: ${(error as Error).message}`);
    }
  }
  if (backends.includes('postgresql')) {
    if (postgresSkipped) {
      console.log(`\n=== PostgreSQL + Redis: ${postgresSkipped} ===`);
    } else {
      try {
        await runPostgres();
      } catch (error) {
        if (interrupted) return;
        postgresSkipped = `failed: ${(error as Error).message}`;
        problem(`PostgreSQL + Redis part failed: ${(error as Error).message}`);
      }
    }
  }
  if (interrupted) return;
  printComparison();
  if (runs.size === 0) {
    console.log('\nNothing was measured.');
    process.exitCode = 1;
  }

  if (disturbed.length) {
    console.log(
      `\nNote: other processes competed for the CPU during ${disturbed.length} scenario(s) (${disturbed.join('; ')}): ` +
        'their figures are low; rerun on a quiet machine to compare them.',
    );
  }
  console.log(`\nTotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (problems.length) {
    console.log(`\n!!!!! ${problems.length} problem(s): the figures above are not trustworthy !!!!!`);
    for (const text of problems) console.log(`  - ${text}`);
    process.exitCode = 1;
  }
}

main().then(
  async () => {
    if (interrupted) return; // the signal handler cleans up and exits
    await cleanup();
    process.exit();
  },
  async (error: unknown) => {
    console.error('\nbench failed:', error instanceof Error ? error.message : error);
    await cleanup();
    process.exit(1);
  },
);
