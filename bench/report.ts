// What the bench prints besides the scenario rows: the header, the fan-out
// figures, each backend's floors and ratios (where a page's time goes), the
// side-by-side table of the two backends, and S5's and S6's figures.
import { cpus } from 'node:os';
import { DISTURBED_CPU } from './cpu.js';
import { int, line, ms, pct, percentile, sorted, times } from './format.js';
import { DEEP, HEALTHZ, ME, NESTED, PAGE, SCENARIO_NAMES, WRITE } from './scenarios.js';
import type { BenchServer } from './server.js';
import { floorSeconds, LABEL, type Backend, type Settings } from './settings.js';
import type { BackendRun, FanOutResult, Floor, LoadResult, LoginStormResult, MixedResult, Run } from './state.js';

export function printHeader(settings: Settings, postgresInfo: string | null) {
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
  console.log(`  backends (BENCH_BACKENDS): ${settings.backends.map((backend) => LABEL[backend]).join(', ')}`);
  console.log('  server: child process, NODE_ENV=production, LOG_LEVEL=warn, one instance per backend, one backend at a time');
  if (settings.backends.includes('sqlite')) console.log('    SQLite: fresh temp SQLite file; events and rate limits in process memory');
  if (postgresInfo) console.log(`    PostgreSQL + Redis: ${postgresInfo}`);
  console.log('  BCRYPT_ROUNDS=4: login/register cost is not what this measures, except in S6 (its own server at cost 12)');
  console.log('  autocannon and the server each get ~1 of the 2 cores: "srv CPU" near 100% means the server is the bottleneck');
  if (postgresInfo) {
    console.log('  on PostgreSQL, postgres and redis-server share the same cores: "db CPU" is theirs (machine-wide, local processes)');
  }
  console.log(`  a row is flagged "disturbed" when other processes (or steal) used over ${pct(DISTURBED_CPU)} of a core during it`);
}

export function printFanOut(result: FanOutResult) {
  const [mutation, sendToAll, responseToAll] = [result.mutation, result.sendToAll, result.responseToAll].map(sorted);
  const p50p99 = (values: number[]) => `p50 ${ms(percentile(values, 0.5))} ms   p99 ${ms(percentile(values, 0.99))} ms`;
  console.log(`\nSubscription fan-out: ${result.subscribers} graphql-ws clients on messageCreated, ${result.messages} messages posted one at a time`);
  console.log(`  mutation round trip        ${p50p99(mutation!)}`);
  console.log(`  send -> all ${result.subscribers} delivered     ${p50p99(sendToAll!)}`);
  console.log(`  response -> all delivered  ${p50p99(responseToAll!)}   (0 = all had arrived before the HTTP response)`);
}

const ratio = (label: string, slow: number | undefined, fast: number | undefined, meaning: string) =>
  console.log(`  ${label.padEnd(34)}${(slow && fast ? times(fast / slow) : 'n/a').padStart(9)}   ${meaning}`);

/** Where the two backends' floor sections differ: when and how the floor was measured, the driver, what a write is. */
const FLOOR_TEXT: Record<Backend, { title: (settings: Settings) => string; prisma: string; raw: string; rawRatio: string; write: string }> = {
  sqlite: {
    title: (s) => `Data-layer floor of the page (this process, sequential loop, ${floorSeconds(s).toFixed(1)} s each, snapshot of the seeded data)`,
    prisma: 'raw Prisma (findMany 21 + count + authors)',
    raw: 'raw better-sqlite3, same SQL',
    rawRatio: 'Prisma page / raw SQLite page',
    write: 'one INSERT (WAL, synchronous=NORMAL) + publish',
  },
  postgresql: {
    title: (s) =>
      'Data-layer floor of the page on PostgreSQL (this process, right after seeding with the server idle, sequential loop, ' +
      `${floorSeconds(s).toFixed(1)} s each, pool of ${s.postgres.poolSize})`,
    prisma: 'raw Prisma over adapter-pg (same calls)',
    raw: 'raw pg (node-postgres), same SQL',
    rawRatio: 'Prisma page / raw pg page',
    write: 'one INSERT (committed with fsync) + Redis publish',
  },
};

/** A backend section's floors and ratios; on SQLite also the page's CPU breakdown (there the database is in the server process). */
export function printRatios(settings: Settings, run: BackendRun, floor: Floor) {
  const text = FLOOR_TEXT[run.backend];
  const rps = (name: string) => run.results.get(name)?.rps;
  const page = rps(PAGE);
  const opsLine = (label: string, ops: number) => `  ${label.padEnd(44)}${int(ops).padStart(8)} ops/s  ${int(1e6 / ops).padStart(6)} µs/op`;

  console.log(`\n${text.title(settings)}`);
  console.log(opsLine(text.prisma, floor.prisma));
  console.log(opsLine(text.raw, floor.raw));

  console.log('\nRatios (time per request; bigger = the left side costs more)');
  ratio('API page / Prisma page', page, floor.prisma, 'HTTP + auth + GraphQL on top of the data work');
  ratio(text.rawRatio, floor.prisma, floor.raw, 'Prisma on top of the same SQL');
  ratio('me / healthz', rps(ME), rps(HEALTHZ), 'GraphQL + JWT + one query vs bare HTTP');
  ratio('deep page / first page', rps(DEEP), page, '~1× if the cursor seeks, >1× if it scans');
  ratio('nested page / page', rps(NESTED), page, '20 authors × 5 messages, batched');
  ratio('write / page', rps(WRITE), page, text.write);

  const api = run.results.get(PAGE);
  if (run.backend === 'sqlite' && api?.serverCpuPerRequest) {
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

export function printSql(floor: Floor) {
  console.log("\nThe page's SQL, as Prisma sent it (the raw loop replays these):");
  for (const sql of floor.sql) console.log(`  ${sql.replaceAll('`main`.', '').replaceAll('`', '').replace(/"bench_\w+"\./g, '').replaceAll('"', '').slice(0, 150)}`);
}

export function printServerOutput(server: BenchServer) {
  const output = server.output().trim();
  if (output) {
    const lines = output.split('\n');
    console.log(`\nThe server printed ${lines.length} line(s) at LOG_LEVEL=warn (first 5):`);
    for (const text of lines.slice(0, 5)) console.log(`  ${text.slice(0, 300)}`);
  }
}

/** SQLite | PostgreSQL + Redis, scenario by scenario. */
export function printComparison(run: Run) {
  const sqlite = run.runs.get('sqlite');
  const postgresql = run.runs.get('postgresql');
  if (!sqlite || !postgresql || postgresql.results.size === 0) {
    if (run.settings.backends.length > 1) {
      const why = run.postgresSkipped ? `PostgreSQL part ${run.postgresSkipped}` : 'the SQLite part did not run';
      console.log(`\nSQLite vs PostgreSQL + Redis: no comparison (${why})`);
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
  const isDisturbed = (row: LoadResult | undefined) => row !== undefined && row.otherCpu !== null && row.otherCpu > DISTURBED_CPU;
  let anyDisturbed = false;
  for (const name of SCENARIO_NAMES) {
    const a = sqlite.results.get(name);
    const b = postgresql.results.get(name);
    const cells = [
      name === HEALTHZ ? 'healthz (control: no DB)' : name,
      a ? int(a.rps) : 'n/a',
      b ? int(b.rps) : 'n/a',
      a && b ? `${times(b.rps / a.rps)}${isDisturbed(a) || isDisturbed(b) ? '*' : ''}` : 'n/a',
      pair(a?.p50, b?.p50, ms),
      pair(a?.p99, b?.p99, ms),
      `${cpuPerRequest(a, false)} | ${cpuPerRequest(b, true)}`,
    ];
    console.log(line(cells, widths));
    if (isDisturbed(a) || isDisturbed(b)) anyDisturbed = true;
  }
  if (anyDisturbed) console.log(`  * other processes used over ${pct(DISTURBED_CPU)} of a core during one side's measurement: that ratio is unreliable`);

  const sideWidths = [34, 21, 21, 13];
  if (sqlite.fanOut && postgresql.fanOut) {
    const { subscribers, messages } = postgresql.fanOut;
    console.log(`\nSubscription fan-out, ${subscribers} clients, ${messages} messages one at a time (PG/SQLite = PG p50 ÷ SQLite p50; above 1× = slower)`);
    console.log(line(['', 'SQLite p50 | p99 ms', 'PG p50 | p99 ms', 'PG/SQLite'], sideWidths));
    const rows: Array<[string, 'mutation' | 'sendToAll' | 'responseToAll']> = [
      ['  mutation round trip', 'mutation'],
      [`  send -> all ${subscribers} delivered`, 'sendToAll'],
      ['  response -> all delivered', 'responseToAll'],
    ];
    for (const [label, key] of rows) {
      const a = sorted(sqlite.fanOut[key]);
      const b = sorted(postgresql.fanOut[key]);
      const [a50, b50] = [percentile(a, 0.5), percentile(b, 0.5)];
      const cells = [label, `${ms(a50)} | ${ms(percentile(a, 0.99))}`, `${ms(b50)} | ${ms(percentile(b, 0.99))}`, a50 > 0.05 ? times(b50 / a50) : 'n/a'];
      console.log(line(cells, sideWidths));
    }
  }

  if (sqlite.floor && postgresql.floor) {
    const [a, b] = [sqlite.floor, postgresql.floor];
    console.log('\nData-layer floor of the page (ops/s, one in flight; PG/SQLite below 1× = slower)');
    console.log(line(['', 'SQLite ops/s', 'PG ops/s', 'PG/SQLite'], sideWidths));
    console.log(line(['  raw Prisma', int(a.prisma), int(b.prisma), times(b.prisma / a.prisma)], sideWidths));
    console.log(line(['  raw driver (better-sqlite3 | pg)', int(a.raw), int(b.raw), times(b.raw / a.raw)], sideWidths));
  }
}

export function printMixed(settings: Settings, result: MixedResult) {
  console.log(
    `\nS5 mixed traffic: ${settings.connections} connections, each sending 9 S1 reads then 1 createMessage, ` +
      `with ${result.subscribers} graphql-ws clients (one loopback address each) subscribed to messageCreated`,
  );
  console.log(
    `  HTTP mix      ${int(result.rps)} req/s (${int(result.reads)} reads, ${int(result.writes)} writes)   ` +
      `p50 ${ms(result.p50)} ms   p99 ${ms(result.p99)} ms   srv CPU ${pct(result.serverCpu)}   gen CPU ${pct(result.loadCpu)}`,
  );
  console.log(
    `  delivery      p50 ${ms(result.deliveryP50)} ms   p99 ${ms(result.deliveryP99)} ms   ` +
      `(write's HTTP response here -> each subscriber's copy here; ${int(result.deliveries)} deliveries, ` +
      `${int(result.beforeResponse)} arrived before the response and count as 0)`,
  );
  console.log(`  failures      ${result.failures} (HTTP errors, GraphQL errors, missed deliveries)`);
  if (result.otherCpu !== null && result.otherCpu > DISTURBED_CPU) {
    console.log(`  ^ other processes on this machine used ${pct(result.otherCpu)} of a core meanwhile: these figures are disturbed`);
  }
}

/** The issue's S6 target: S1's p99 during the storm within this many times S1 alone. */
export const STORM_P99_TARGET = 2;

export function printLoginStorm(result: LoginStormResult) {
  const ratio = result.during.p99 / result.alone.p99;
  console.log(
    `\n  S1 p99 alone ${ms(result.alone.p99)} ms, during the storm ${ms(result.during.p99)} ms: ${times(ratio)} ` +
      `(target ≤ ${times(STORM_P99_TARGET)}: ${ratio <= STORM_P99_TARGET ? 'met' : 'not met'}); req/s ${int(result.alone.rps)} -> ${int(result.during.rps)}`,
  );
  console.log(
    `  logins: ${int(result.logins)} (${result.loginsPerSecond.toFixed(1)}/s, ${result.inFlight} in flight), ` +
      `p50 ${int(result.loginP50)} ms, p99 ${int(result.loginP99)} ms, ${result.loginFailures} failed`,
  );
}
