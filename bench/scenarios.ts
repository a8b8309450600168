// HTTP load scenarios under autocannon: each one's request is sent once and
// checked first (a fast wrong answer is not a result), then loaded for the
// warm-up, then measured, with who used the CPU meanwhile.
import autocannon from 'autocannon';
import { databaseCpuBetween, databaseCpuSnapshot, DISTURBED_CPU, machineBusySeconds, processCpuSeconds } from './cpu.js';
import { pct, percentile, printRow } from './format.js';
import type { BenchServer } from './server.js';
import { LABEL } from './settings.js';
import { problem, type BackendRun, type LoadResult, type Run } from './state.js';

/** The parts of a sample response the checks read; all optional, since a wrong answer may lack any. */
export interface SampleBody {
  status?: string;
  errors?: unknown[];
  data?: {
    me?: { username?: string } | null;
    messages?: { edges?: Array<{ node: { author?: { username?: string; messages?: { edges: unknown[] } } | null } }> } | null;
    messagesByUser?: { edges?: Array<{ node: { author?: { username?: string } | null } }> } | null;
    createMessage?: { id?: string } | null;
    /** C1 and C2 (conversations.ts). */
    conversation?: { messages?: { edges?: Array<{ node: { author?: { username?: string } | null } }> } } | null;
    conversations?: { edges?: Array<{ node: { id: string; unreadCount?: number; lastMessage?: { id?: string } | null } }> } | null;
    /** The guard's floor server's fixed answer (floorChild.ts). */
    floor?: boolean;
  } | null;
}

export interface Scenario {
  name: string;
  path: '/graphql' | '/healthz';
  query?: string;
  variables?: Record<string, unknown>;
  /** Says what is wrong with a sample response, or null when it looks right. */
  check: (body: SampleBody) => string | null;
}

export const HEALTHZ = 'healthz (transport floor)';
export const ME = 'me';
export const PAGE = 'page of 20 + authors';
export const DEEP = 'deep page (after #1000)';
export const NESTED = 'nested page (DataLoader)';
export const WRITE = 'createMessage (write)';
/** The peer harness's S1 and S2 documents (../shared/bench/harness.mjs), so the summary's S1/S2 mean what the do. */
export const S1 = 'S1 page 20 + authors';
export const S2 = 'S2 by-user page of 20';
export const SCENARIO_NAMES = [HEALTHZ, ME, PAGE, S1, S2, DEEP, NESTED, WRITE];

/** The page's selection, shared by S1, S2 and C1 (a conversation's page, conversations.ts). */
export const EDGES = 'edges { cursor node { id content createdAt author { id username } } } pageInfo { hasNextPage endCursor }';
/** The bench's own page also selects totalCount (one COUNT per request, never cached): heavier than the harness's S1. */
const PAGE_FIELDS = `totalCount ${EDGES}`;

/** A full page of 20 with an author on each node. */
const isFullPage = (body: SampleBody) =>
  body.data?.messages?.edges?.length === 20 && body.data.messages.edges.every((edge) => edge.node.author?.username)
    ? null
    : 'expected 20 edges with authors';

/** S4 of the harness: auth + GraphQL with no query (the user cache answers). */
export const ME_SCENARIO: Scenario = {
  name: ME,
  path: '/graphql',
  query: '{ me { id username } }',
  check: (b) => (b.data?.me?.username ? null : 'expected me.username'),
};

/**
 * S1 exactly as the peer harness sends it (no totalCount). Also the read half
 * of S5, the page S6 measures, and the guard's S1.
 */
export const S1_SCENARIO: Scenario = {
  name: S1,
  path: '/graphql',
  query: `query Page { messages(first: 20) { ${EDGES} } }`,
  check: isFullPage,
};

/** S3: every request inserts a message (the same content each time; the harness varies it, which costs nothing here). */
export const WRITE_SCENARIO: Scenario = {
  name: WRITE,
  path: '/graphql',
  query: 'mutation { createMessage(input: { content: "Benchmark write: lorem ipsum dolor sit amet." }) { id createdAt } }',
  check: (b) => (b.data?.createMessage?.id ? null : 'expected createMessage.id'),
};

/** `byUsername`: the author S2 pages through (one who has at least 20 messages). */
export function scenarios(deepCursor: string, byUsername: string): Scenario[] {
  return [
    { name: HEALTHZ, path: '/healthz', check: (b) => (b.status === 'ok' ? null : 'expected status ok') },
    ME_SCENARIO,
    { name: PAGE, path: '/graphql', query: `{ messages(first: 20) { ${PAGE_FIELDS} } }`, check: isFullPage },
    S1_SCENARIO,
    {
      name: S2,
      path: '/graphql',
      query: `query ByUser($username: String!) { messagesByUser(username: $username, first: 20) { ${EDGES} } }`,
      variables: { username: byUsername },
      check: (b) => {
        const edges = b.data?.messagesByUser?.edges;
        return edges?.length === 20 && edges.every((edge) => edge.node.author?.username === byUsername) ? null : `expected 20 edges by ${byUsername}`;
      },
    },
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
        b.data?.messages?.edges?.length === 20 && b.data.messages.edges.every((e) => e.node.author?.messages?.edges.length === 5)
          ? null
          : 'expected 20 edges, each author with 5 messages',
    },
    // Last: writes grow the table the read scenarios above measured.
    WRITE_SCENARIO,
  ];
}

/** The request autocannon sends; the sample check sends exactly this one too. */
export function requestOptions(scenario: Scenario, token: string) {
  if (scenario.path === '/healthz') return { method: 'GET' as const };
  return {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  };
}

/** Sends the scenario's request once and checks the answer before loading it. */
export async function checkSample(run: Run, base: string, scenario: Scenario, token: string, label: string): Promise<boolean> {
  const response = await fetch(base + scenario.path, requestOptions(scenario, token));
  const text = await response.text();
  let body: SampleBody | undefined;
  try {
    body = JSON.parse(text) as SampleBody;
  } catch {
    // reported below
  }
  const wrong =
    !response.ok ? `HTTP ${response.status}`
    : !body ? 'not JSON'
    : body.errors ? 'GraphQL errors'
    : scenario.check(body);
  if (wrong) problem(run, `${label}${scenario.name}: sample response is wrong (${wrong}), scenario skipped; body: ${text.trim().slice(0, 300)}`);
  return !wrong;
}

/** What a scenario loads: a server process (the API, or the guard's floor server in guard.ts). */
export interface LoadTarget {
  base: string;
  child: { pid?: number };
}

/** A scenario of a backend's run: measured, then kept under its name for the report. */
export async function runLoad(run: Run, backendRun: BackendRun, server: BenchServer, scenario: Scenario, token: string): Promise<void> {
  const label = server.backend === 'sqlite' ? '' : `${LABEL[server.backend]}: `;
  const row = await measureLoad(run, server, scenario, token, label, server.backend === 'postgresql');
  if (row) backendRun.results.set(scenario.name, row);
}

/**
 * Checks a sample, warms up, measures and prints one row; null when the sample
 * was wrong. Errors under load are recorded as problems (they fail the run).
 * `measureDatabase`: also count the local postgres and redis-server CPU.
 */
export async function measureLoad(
  run: Run,
  server: LoadTarget,
  scenario: Scenario,
  token: string,
  label: string,
  measureDatabase = false,
): Promise<LoadResult | null> {
  const { settings } = run;
  if (!(await checkSample(run, server.base, scenario, token, label))) return null;
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
  const serverCpuBefore = processCpuSeconds(server.child.pid);
  const databaseCpuBefore = databaseCpuSnapshot();
  const machineBefore = machineBusySeconds();
  const loadCpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: settings.duration }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (...args: unknown[]) => void latencies.push(args[3] as number));
  });
  const serverCpuAfter = processCpuSeconds(server.child.pid);
  const databaseCpu = databaseCpuBetween(databaseCpuBefore, databaseCpuSnapshot());
  const machineAfter = machineBusySeconds();
  const loadCpu = process.cpuUsage(loadCpuBefore);

  latencies.sort((a, b) => a - b);
  const serverCpu = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
  const loadSeconds = (loadCpu.user + loadCpu.system) / 1e6;
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
    loadCpu: loadSeconds / result.duration,
    databaseCpu: !measureDatabase || databaseCpu === null ? null : databaseCpu / result.duration,
    otherCpu:
      machineBefore === null || machineAfter === null || serverCpu === null
        ? null
        : Math.max(0, machineAfter - machineBefore - serverCpu - loadSeconds - (databaseCpu ?? 0)) / result.duration,
  };
  printRow(row, measureDatabase);
  if (row.otherCpu !== null && row.otherCpu > DISTURBED_CPU) {
    run.disturbed.push(`${label}${scenario.name}`);
    console.log(`  ^ other processes on this machine used ${pct(row.otherCpu)} of a core meanwhile: this row is disturbed`);
  }
  if (row.errors || row.non2xx || row.gqlErrors) {
    problem(
      run,
      `${label}${scenario.name}: ${row.errors} connection errors/timeouts, ${row.non2xx} non-2xx, ${row.gqlErrors} GraphQL error responses under load`,
    );
  }
  return row;
}
