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
interface SampleBody {
  status?: string;
  errors?: unknown[];
  data?: {
    me?: { username?: string } | null;
    messages?: { edges?: Array<{ node: { author?: { username?: string; messages?: { edges: unknown[] } } | null } }> } | null;
    createMessage?: { id?: string } | null;
  } | null;
}

interface Scenario {
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
export const SCENARIO_NAMES = [HEALTHZ, ME, PAGE, DEEP, NESTED, WRITE];

const PAGE_FIELDS =
  'totalCount edges { cursor node { id content createdAt author { id username } } } pageInfo { hasNextPage endCursor }';

/** A full page of 20 with an author on each node. */
const isFullPage = (body: SampleBody) =>
  body.data?.messages?.edges?.length === 20 && body.data.messages.edges.every((edge) => edge.node.author?.username)
    ? null
    : 'expected 20 edges with authors';

export function scenarios(deepCursor: string): Scenario[] {
  return [
    { name: HEALTHZ, path: '/healthz', check: (b) => (b.status === 'ok' ? null : 'expected status ok') },
    { name: ME, path: '/graphql', query: '{ me { id username } }', check: (b) => (b.data?.me?.username ? null : 'expected me.username') },
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
        b.data?.messages?.edges?.length === 20 && b.data.messages.edges.every((e) => e.node.author?.messages?.edges.length === 5)
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

/** The request autocannon sends; the sample check sends exactly this one too. */
function requestOptions(scenario: Scenario, token: string) {
  if (scenario.path === '/healthz') return { method: 'GET' as const };
  return {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  };
}

/** Sends the scenario's request once and checks the answer before loading it. */
async function checkSample(run: Run, base: string, scenario: Scenario, token: string, label: string): Promise<boolean> {
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

export async function runLoad(run: Run, backendRun: BackendRun, server: BenchServer, scenario: Scenario, token: string): Promise<void> {
  const { settings } = run;
  const label = server.backend === 'sqlite' ? '' : `${LABEL[server.backend]}: `;
  if (!(await checkSample(run, server.base, scenario, token, label))) return;
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
  backendRun.results.set(scenario.name, row);
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
}
