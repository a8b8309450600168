// The project's benchmark: `npm run bench`. Speed goals live here, never in
// tests (a test that fails on a slow CI machine teaches nothing).
//
// One run measures, on the same machine and the same data:
//   1. the real server (a child process, so load generation does not share its
//      event loop) under autocannon: /healthz, me, a page, a deep page, a
//      nested page (DataLoader batching) and createMessage writes;
//   2. one subscription fan-out figure (graphql-ws);
//   3. in this process, after the server stopped, the data-layer floor of the
//      page: the same Prisma calls, and the same SQL on raw better-sqlite3;
// then prints ratios, so a reader sees where a page's time goes (HTTP +
// GraphQL vs Prisma vs SQLite). Figures are only comparable within one run.
//
// Knobs (env): BENCH_DURATION seconds per load scenario (default 8),
// BENCH_CONNECTIONS (default 10), BENCH_SUBSCRIBERS (default 50, 0 skips the
// fan-out). Exits non-zero when any response was an error.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { newestFirst } from '../src/messages/service.js';
import { publicUserFields } from '../src/users/model.js';

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 && process.env[name] !== '' ? value : fallback;
};

const settings = {
  duration: envNumber('BENCH_DURATION', 8),
  connections: envNumber('BENCH_CONNECTIONS', 10),
  warmup: 1, // seconds of unmeasured load before each scenario (JIT, caches)
  users: 20,
  messages: 2000,
  subscribers: envNumber('BENCH_SUBSCRIBERS', 50),
  fanOutMessages: 200,
};
/** Each data-layer floor loop runs this long (after a short warm-up). */
const floorSeconds = Math.max(1, settings.duration * 0.4);

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'messaging-bench-'));
const dbFile = join(workDir, 'bench.db');
/** Copy taken right after seeding: the floors read the data the read scenarios saw. */
const snapshotFile = join(workDir, 'snapshot.db');

/** Set when something must fail the run; printed loudly where it happens. */
const problems: string[] = [];
function problem(message: string) {
  problems.push(message);
  console.log(`\n  !!!!! ${message} !!!!!\n`);
}

// ---------------------------------------------------------------------------
// The server, as its own process
// ---------------------------------------------------------------------------

interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
}

let server: ServerProcess | null = null;

// Cleanup runs on every way out (normal end, error, Ctrl-C): kill the child,
// remove the temp directory. 'exit' handlers must be synchronous, and both are.
process.on('exit', () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

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

async function startServer(): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: `file:${dbFile}`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      BCRYPT_ROUNDS: '4', // the bench measures the API, not bcrypt
      LOG_LEVEL: 'warn', // so anything the server prints is worth reading
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return { child, base, output: () => output };
}

/** Graceful stop (SIGTERM), as a deploy would; SIGKILL if it hangs. */
async function stopServer(proc: ServerProcess) {
  if (proc.child.exitCode !== null) return;
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
}

const results = new Map<string, LoadResult>();

function requestOptions(scenario: Scenario, token: string) {
  if (scenario.path === '/healthz') return { method: 'GET' as const };
  return {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  };
}

/** Sends the scenario's request once and checks the answer before loading it. */
async function checkSample(base: string, scenario: Scenario, token: string): Promise<boolean> {
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
  if (wrong) problem(`${scenario.name}: sample response is wrong (${wrong}), scenario skipped; body: ${text.trim().slice(0, 300)}`);
  return !wrong;
}

async function runLoad(base: string, scenario: Scenario, token: string): Promise<void> {
  if (!(await checkSample(base, scenario, token))) return;
  const options = {
    url: base + scenario.path,
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
  const serverCpuBefore = processCpuSeconds(server!.child.pid);
  const loadCpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: settings.duration }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on('response', (...args: unknown[]) => void latencies.push(args[3] as number));
  });
  const serverCpuAfter = processCpuSeconds(server!.child.pid);
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
  };
  results.set(scenario.name, row);
  printRow(row);
  if (row.errors || row.non2xx || row.gqlErrors) {
    problem(
      `${scenario.name}: ${row.errors} connection errors/timeouts, ${row.non2xx} non-2xx, ${row.gqlErrors} GraphQL error responses under load`,
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

function scenarios(deepCursor: string): Scenario[] {
  return [
    { name: 'healthz (transport floor)', path: '/healthz', check: (b) => (b.status === 'ok' ? null : 'expected status ok') },
    {
      name: 'me',
      path: '/graphql',
      query: '{ me { id username } }',
      check: (b) => (b.data?.me?.username ? null : 'expected me.username'),
    },
    { name: 'page of 20 + authors', path: '/graphql', query: `{ messages(first: 20) { ${PAGE_FIELDS} } }`, check: isFullPage },
    {
      name: 'deep page (after #1000)',
      path: '/graphql',
      query: `query Deep($after: String) { messages(first: 20, after: $after) { ${PAGE_FIELDS} } }`,
      variables: { after: deepCursor },
      check: isFullPage,
    },
    {
      name: 'nested page (DataLoader)',
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
      name: 'createMessage (write)',
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
async function fanOut(base: string, tokens: string[]): Promise<FanOutResult> {
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
    // A subscription is live only once the server has processed it: post
    // probes until every client has seen one.
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
    if (subscriptionErrors) problem(`fan-out: ${subscriptionErrors} subscription errors`);
    if (out.lost) problem(`fan-out: ${out.lost} deliveries did not arrive within 5 s`);
    return out;
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

// ---------------------------------------------------------------------------
// Data-layer floors, in this process, on the snapshot
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
  const end = start + floorSeconds * 1000;
  while (performance.now() < end) {
    await op();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

async function floors(): Promise<{ prisma: number; sqlite: number; sql: string[] }> {
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
  return { prisma, sqlite, sql: statements.map((s) => s.sql) };
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

function printHeader() {
  const cpu = cpus();
  console.log('messaging-api benchmark');
  console.log(`  node ${process.version} · ${cpu[0]?.model ?? 'unknown CPU'} · ${cpu.length} cores`);
  console.log(
    `  ${settings.duration} s per scenario (+${settings.warmup} s warm-up), ${settings.connections} connections, ` +
      `${settings.users} users, ${settings.messages.toLocaleString('en-US')} messages seeded through the API`,
  );
  console.log('  server: child process, NODE_ENV=production, LOG_LEVEL=warn, fresh temp SQLite file');
  console.log('  BCRYPT_ROUNDS=4: login/register cost is not what this measures (no scenario hashes passwords)');
  console.log('  autocannon and the server each get ~1 of the 2 cores: "srv CPU" near 100% means the server is the bottleneck');
}

const COLUMNS = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'gql err', 'srv CPU', 'gen CPU', 'srv µs/req'];
const WIDTHS = [28, 8, 7, 7, 7, 8, 8, 8, 8, 11];
const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(WIDTHS[i]!) : cell.padStart(WIDTHS[i]!))).join('');

function printRow(row: LoadResult) {
  console.log(
    line([
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
    ]),
  );
}

function printFanOut(result: FanOutResult) {
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const [mutation, sendToAll, responseToAll] = [result.mutation, result.sendToAll, result.responseToAll].map(sorted);
  console.log(`\nSubscription fan-out: ${result.subscribers} graphql-ws clients on messageCreated, ${result.messages} messages posted one at a time`);
  console.log(`  mutation round trip        p50 ${ms(percentile(mutation!, 0.5))} ms   p99 ${ms(percentile(mutation!, 0.99))} ms`);
  console.log(`  send -> all ${result.subscribers} delivered     p50 ${ms(percentile(sendToAll!, 0.5))} ms   p99 ${ms(percentile(sendToAll!, 0.99))} ms`);
  console.log(
    `  response -> all delivered  p50 ${ms(percentile(responseToAll!, 0.5))} ms   p99 ${ms(percentile(responseToAll!, 0.99))} ms` +
      '   (0 = all had arrived before the HTTP response)',
  );
}

function printRatios(floor: { prisma: number; sqlite: number }) {
  const rps = (name: string) => results.get(name)?.rps;
  const page = rps('page of 20 + authors');
  const ratio = (label: string, slow: number | undefined, fast: number | undefined, meaning: string) =>
    console.log(`  ${label.padEnd(34)}${(slow && fast ? times(fast / slow) : 'n/a').padStart(9)}   ${meaning}`);

  console.log(`\nData-layer floor of the page (this process, sequential loop, ${floorSeconds.toFixed(1)} s each, snapshot of the seeded data)`);
  console.log(`  raw Prisma (findMany 21 + count + authors)  ${int(floor.prisma).padStart(8)} ops/s  ${int(1e6 / floor.prisma).padStart(6)} µs/op`);
  console.log(`  raw better-sqlite3, same SQL                ${int(floor.sqlite).padStart(8)} ops/s  ${int(1e6 / floor.sqlite).padStart(6)} µs/op`);

  console.log('\nRatios (time per request; bigger = the left side costs more)');
  ratio('API page / Prisma page', page, floor.prisma, 'HTTP + auth + GraphQL on top of the data work');
  ratio('Prisma page / raw SQLite page', floor.prisma, floor.sqlite, 'Prisma on top of the same SQL');
  ratio('me / healthz', rps('me'), rps('healthz (transport floor)'), 'GraphQL + JWT + one query vs bare HTTP');
  ratio('deep page / first page', rps('deep page (after #1000)'), page, '~1× if the cursor seeks, >1× if it scans');
  ratio('nested page / page', rps('nested page (DataLoader)'), page, '20 authors × 5 messages, batched');
  ratio('write / page', rps('createMessage (write)'), page, 'one INSERT (WAL, synchronous=NORMAL) + publish');

  const api = results.get('page of 20 + authors');
  if (api?.serverCpuPerRequest) {
    const apiUs = api.serverCpuPerRequest * 1e6;
    const sqliteUs = 1e6 / floor.sqlite;
    const prismaUs = 1e6 / floor.prisma - sqliteUs;
    const restUs = apiUs - sqliteUs - prismaUs;
    const share = (us: number) => `${int(us).padStart(6)} µs  ${pct(us / apiUs).padStart(4)}`;
    console.log(`\nWhere a page's server CPU time goes (${int(apiUs)} µs per request)`);
    console.log(`  SQLite (the SQL itself)           ${share(sqliteUs)}`);
    console.log(`  Prisma (query building, mapping)  ${share(prismaUs)}`);
    console.log(`  HTTP + auth + GraphQL + rest      ${share(restUs)}`);
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  printHeader();

  server = await startServer();
  const url = `${server.base}/graphql`;
  const seedStart = performance.now();
  const tokens = await seed(url);
  const deepCursor = await cursorAfter(url, tokens[0]!, 1000);
  console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);
  const source = new Database(dbFile, { readonly: true });
  await source.backup(snapshotFile);
  source.close();

  console.log(line(COLUMNS));
  for (const scenario of scenarios(deepCursor)) await runLoad(server.base, scenario, tokens[0]!);

  if (settings.subscribers > 0) printFanOut(await fanOut(server.base, tokens));

  await stopServer(server);
  const floor = await floors();
  printRatios(floor);
  console.log("\nThe page's SQL, as Prisma sent it (the raw loop replays these):");
  for (const sql of floor.sql) console.log(`  ${sql.replaceAll('`main`.', '').replaceAll('`', '').slice(0, 150)}`);

  const output = server.output().trim();
  if (output) {
    const lines = output.split('\n');
    console.log(`\nThe server printed ${lines.length} line(s) at LOG_LEVEL=warn (first 5):`);
    for (const text of lines.slice(0, 5)) console.log(`  ${text.slice(0, 300)}`);
  }
  console.log(`\nTotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (problems.length) {
    console.log(`\n!!!!! ${problems.length} problem(s): the figures above are not trustworthy !!!!!`);
    for (const text of problems) console.log(`  - ${text}`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error('\nbench failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
