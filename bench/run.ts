// The project's benchmark: `npm run bench`. Speed goals live here, never in
// tests (a test that fails on a slow CI machine teaches nothing).
//
// One run measures, on the same machine and the same data, for each backend:
//   1. the real server (a child process, so load generation does not share its
//      event loop) under autocannon: /healthz, me (the S4), a page,
//      the peer harness's S1 page and S2 by-user page, a deep page, a nested
//      page (DataLoader batching) and createMessage writes (S3);
//   2. one subscription fan-out figure (graphql-ws);
//   3. on SQLite only, S5: 90 % S1 reads / 10 % writes with 200 subscribers
//      that must each get every write (mixed.ts);
//   4. the data-layer floor of the page: on SQLite, in this process after the
//      server stopped, the same Prisma calls and the same SQL on raw
//      better-sqlite3; on PostgreSQL, right after seeding (the server idle),
//      the same Prisma calls over adapter-pg and the same SQL on raw pg;
// then prints ratios, so a reader sees where a page's time goes (HTTP +
// GraphQL vs Prisma vs the database), and a side-by-side table of the two
// backends: embedded SQLite with in-process events (the default) against
// PostgreSQL + Redis (the scale-out backend), one instance each. Between the
// two, S6: S1 alone and during a stream of bcrypt-cost-12 logins, on a server
// of its own (loginStorm.ts). On each backend, after its main part, the
// conversation scenarios C1-C4 on a server of their own (conversations.ts):
// a conversation's page beside S1, the conversation list with unread counts
// (one conversation of 100,000 messages), fan-out to a 100-member channel and
// the replay of 1,000 missed events. Last, a summary of the S1-S7
// (summary.ts; S7 is S1 and S3 on PostgreSQL + Redis), with whether S5's and
// S6's criteria hold, and one of C1-C4 (conversationReport.ts). Figures are
// only comparable within one run.
//
// Knobs (env): BENCH_BACKENDS (default "sqlite,postgresql"), BENCH_DURATION
// seconds per load scenario (default 5 with two backends, 8 with one),
// BENCH_CONNECTIONS (default 10), BENCH_SUBSCRIBERS (default 50, 0 skips the
// fan-out), BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test;
// the run creates and drops its own schema), BENCH_REDIS_URL (default
// redis://127.0.0.1:6379; the run uses its own key prefix and deletes its keys),
// BENCH_CONVERSATIONS=0 skips C1-C4.
// When PostgreSQL or Redis does not answer, that part is skipped and the run
// says why. BENCH_PEERS=<dir> (e.g. ../shared/bench) also runs that
// folder's peer harness with this project (peers.ts), first, and prints the
// ratios to ceiling and mercurius beside the targets (again at the end). Exits non-zero when any
// response was an error, a login was refused or a subscriber missed a message
// (a criterion that does not hold is reported, not a failure).
//
// The pieces: settings.ts (the knobs), state.ts (the one Run object every step
// works over, and its cleanup), server.ts + cpu.ts (the server process and
// who used the CPU), external.ts (PostgreSQL + Redis probe and cleanup),
// seed.ts, scenarios.ts (autocannon), fanout.ts (graphql-ws), mixed.ts (S5),
// loginStorm.ts (S6), conversations.ts + conversationSeed.ts +
// conversationStreams.ts (C1-C4), loopback.ts (a loopback address per
// subscriber), floors.ts (Prisma and the raw drivers in this process),
// format.ts + report.ts + summary.ts + conversationReport.ts. `npm run bench:guard` (guard.ts) is the
// short CI guard built from the same pieces.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPeers, type PeerComparison } from './peers.js';
import Database from 'better-sqlite3';
import { dropPostgresResources, probePostgresAndRedis } from './external.js';
import { fanOut } from './fanout.js';
import { postgresFloors, sqliteFloors } from './floors.js';
import { columns } from './format.js';
import { loginStorm } from './loginStorm.js';
import { mixedTraffic } from './mixed.js';
import { printComparison, printFanOut, printHeader, printLoginStorm, printMixed, printRatios, printServerOutput, printSql } from './report.js';
import { printSummary } from './summary.js';
import { printConversations, printConversationSummary } from './conversationReport.js';
import { conversationScenarios } from './conversations.js';
import { runLoad, scenarios } from './scenarios.js';
import { seedServer, seedUsername } from './seed.js';
import { killServer, startServer, stopServer, type BenchServer } from './server.js';
import { durationFor, LABEL, loadSettings, SettingsError, type Settings } from './settings.js';
import { cleanup, createRun, installExitHandlers, problem, type BackendRun, type Run } from './state.js';

/** C1-C4 on this backend, after its main part (its server stopped); a failure is a problem, the run goes on. */
async function runConversations(run: Run, backendRun: BackendRun) {
  const sizes = run.settings.conversations;
  if (!sizes) return;
  try {
    printConversations((backendRun.conversations = await conversationScenarios(run, backendRun.backend, sizes)));
  } catch (error) {
    if (run.interrupted) return;
    problem(run, `${LABEL[backendRun.backend]}: conversations (C1-C4) failed: ${(error as Error).message}`);
  }
}

async function runSqlite(run: Run) {
  const backendRun: BackendRun = { backend: 'sqlite', results: new Map() };
  run.runs.set('sqlite', backendRun);
  console.log('\n=== SQLite (embedded, events and rate limits in memory) ===');
  const server = await startServer(run, 'sqlite');
  try {
    const { tokens, deepCursor } = await seedServer(server, run.settings);
    const source = new Database(run.dbFile, { readonly: true });
    await source.backup(run.snapshotFile);
    source.close();

    console.log(columns(false));
    for (const scenario of scenarios(deepCursor, seedUsername(7))) await runLoad(run, backendRun, server, scenario, tokens[0]!);

    if (run.settings.subscribers > 0) printFanOut((backendRun.fanOut = await fanOut(run, server, tokens, '')));
    // S5 last on this server: its writes grow the table (the floors read the snapshot).
    const mixed = await mixedTraffic(run, server, tokens);
    if (mixed) printMixed(run.settings, (run.mixed = mixed));

    // The floors run after the server stopped, so they have the CPU to themselves.
    await stopServer(server);
    backendRun.floor = await sqliteFloors(run.settings, run.snapshotFile);
    printRatios(run.settings, backendRun, backendRun.floor);
    printSql(backendRun.floor);
    printServerOutput(server);
  } finally {
    await killServer(server);
  }
}

async function runPostgres(run: Run) {
  const backendRun: BackendRun = { backend: 'postgresql', results: new Map() };
  run.runs.set('postgresql', backendRun);
  console.log('\n=== PostgreSQL + Redis (the scale-out backend, one instance) ===');
  // From here on the schema and Redis keys may exist: every way out drops them.
  run.externalCleanup = () => dropPostgresResources(run.settings);
  let server: BenchServer | null = null;
  try {
    server = await startServer(run, 'postgresql');
    const { tokens, deepCursor } = await seedServer(server, run.settings);
    // Measured now, on the data the read scenarios will see (no snapshot here);
    // the server is idle meanwhile.
    backendRun.floor = await postgresFloors(run.settings);

    console.log(columns(true));
    for (const scenario of scenarios(deepCursor, seedUsername(7))) await runLoad(run, backendRun, server, scenario, tokens[0]!);

    if (run.settings.subscribers > 0) printFanOut((backendRun.fanOut = await fanOut(run, server, tokens, `${LABEL.postgresql}: `)));

    await stopServer(server);
    printRatios(run.settings, backendRun, backendRun.floor);
    printSql(backendRun.floor);
    printServerOutput(server);
    // On the schema as the scenarios above left it (dropped with it below).
    await runConversations(run, backendRun);
  } finally {
    if (server) await killServer(server);
    const drop = run.externalCleanup;
    run.externalCleanup = null;
    if (drop) {
      try {
        await drop();
        console.log(`\n  dropped schema ${run.settings.postgres.schema} and Redis keys ${run.settings.redis.prefix}*`);
      } catch (error) {
        problem(run, `cleanup: ${(error as Error).message}`);
      }
    }
  }
}

async function main(run: Run) {
  const { settings } = run;
  const started = performance.now();
  let postgresInfo: string | null = null;
  if (settings.backends.includes('postgresql')) {
    const probe = await probePostgresAndRedis(settings);
    if ('skip' in probe) run.postgresSkipped = probe.skip;
    else postgresInfo = probe.info;
  }
  // The default duration depends on how many backends will really run.
  settings.duration = durationFor(settings.backends.filter((backend) => backend === 'sqlite' || !run.postgresSkipped).length);
  printHeader(settings, postgresInfo);

  // The peer comparison first, while nothing of this bench has loaded the
  // machine yet (the PostgreSQL part leaves the database writing behind it).
  let peers: PeerComparison | null = null;
  if (process.env.BENCH_PEERS) {
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
    peers = await runPeers(process.env.BENCH_PEERS, process.cwd());
    if (!peers.clean) problem(run, 'the peer run failed or had failures');
  }

  if (settings.backends.includes('sqlite')) {
    try {
      await runSqlite(run);
    } catch (error) {
      if (run.interrupted) return;
      problem(run, `SQLite part failed: ${(error as Error).message}`);
    }
    // S6 works on a copy of the snapshot the SQLite part took after seeding.
    if (existsSync(run.snapshotFile)) {
      try {
        const storm = await loginStorm(run);
        if (storm) printLoginStorm((run.loginStorm = storm));
      } catch (error) {
        if (run.interrupted) return;
        problem(run, `S6 (login storm) failed: ${(error as Error).message}`);
      }
      // C1-C4 also start from that snapshot (the same users and public timeline S1 read).
      const sqliteRun = run.runs.get('sqlite');
      if (sqliteRun && !run.interrupted) await runConversations(run, sqliteRun);
    }
  }
  if (settings.backends.includes('postgresql')) {
    if (run.postgresSkipped) {
      console.log(`\n=== PostgreSQL + Redis: ${run.postgresSkipped} ===`);
    } else {
      try {
        await runPostgres(run);
      } catch (error) {
        if (run.interrupted) return;
        run.postgresSkipped = `failed: ${(error as Error).message}`;
        problem(run, `PostgreSQL + Redis part failed: ${(error as Error).message}`);
      }
    }
  }
  if (run.interrupted) return;
  printComparison(run);
  printSummary(run);
  if (peers) {
    console.log('\n=== the peer comparison (run first, above): this project against ceiling and mercurius ===');
    for (const line of peers.table) console.log(line);
  }
  printConversationSummary(run);
  if (run.runs.size === 0) {
    console.log('\nNothing was measured.');
    process.exitCode = 1;
  }

  if (run.disturbed.length) {
    console.log(
      `\nNote: other processes competed for the CPU during ${run.disturbed.length} scenario(s) (${run.disturbed.join('; ')}): ` +
        'their figures are low; rerun on a quiet machine to compare them.',
    );
  }
  console.log(`\nTotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (run.problems.length) {
    console.log(`\n!!!!! ${run.problems.length} problem(s): the figures above are not trustworthy !!!!!`);
    for (const text of run.problems) console.log(`  - ${text}`);
    process.exitCode = 1;
  }
}

let settings: Settings;
try {
  settings = loadSettings();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exit(2);
}
// spawnServer starts `src/main.ts` relative to the working directory: make
// that the project root, so the bench runs from anywhere.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const run = createRun(settings);
installExitHandlers(run);
main(run).then(
  async () => {
    if (run.interrupted) return; // the signal handler cleans up and exits
    await cleanup(run);
    process.exit();
  },
  async (error: unknown) => {
    console.error('\nbench failed:', error instanceof Error ? error.message : error);
    await cleanup(run);
    process.exit(1);
  },
);
