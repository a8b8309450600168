// `npm run bench:guard`: the CI speed-regression guard. A short bench (about
// 3 s per scenario after a 1 s warm-up, SQLite only, nothing from ../shared)
// of S1 (the page), S3 (createMessage) and S4 (me), each as a ratio of its
// req/s to an in-run floor: a minimal node:http server (floorChild.ts)
// answering a fixed small JSON body, loaded with the same autocannon settings
// in the same run, before and after the scenarios (their mean is the floor).
// The floor is this machine's HTTP speed right now, so the ratios cancel most
// of the machine's speed and noise, and figures recorded on one machine hold
// on another roughly as well as the shapes of their CPUs agree.
//
// The recorded ratios live in BENCHMARKS.md, in the ```bench-guard block. The
// guard fails (exit 1) when any ratio is more than 25 % below its recorded
// figure, after measuring everything once more (fresh servers) to rule out a
// passing disturbance; any error response fails it at once. It prints the
// figures either way, and a block to paste when they should be re-recorded
// (after a change that really makes a scenario faster: run it 3 times and
// record roughly the median).
//
// Knobs (env): GUARD_DURATION seconds per scenario (default 3),
// BENCH_CONNECTIONS (default 10, as in `npm run bench`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFloorServer, stopFloorServer } from './floorServer.js';
import { int } from './format.js';
import { measureLoad, ME_SCENARIO, S1_SCENARIO, WRITE_SCENARIO, type Scenario } from './scenarios.js';
import { seedServer } from './seed.js';
import { killServer, startServer } from './server.js';
import { loadSettings } from './settings.js';
import { cleanup, createRun, installExitHandlers, type Run } from './state.js';

/** A ratio more than this far below its recorded figure fails the guard. */
const TOLERANCE = 0.25;
const RECORD_FILE = 'BENCHMARKS.md';
const BLOCK = /```bench-guard\n([\s\S]*?)```/;

/** What the guard loads, in order: reads first, writes last (they grow the table). */
const GUARDED: Array<{ id: string; scenario: Scenario }> = [
  { id: 'S4', scenario: { ...ME_SCENARIO, name: 'S4 me' } },
  { id: 'S1', scenario: S1_SCENARIO },
  { id: 'S3', scenario: { ...WRITE_SCENARIO, name: 'S3 createMessage' } },
];

/** The floor's request: S4's (a small authenticated POST); the floor server ignores it and answers its fixed body. */
const FLOOR: Scenario = { ...ME_SCENARIO, name: 'floor (node:http, fixed JSON)', check: (b) => (b.data?.floor ? null : 'expected the fixed body') };

/** The recorded ratios, by scenario id, from the ```bench-guard block of BENCHMARKS.md. */
function recordedRatios(): Map<string, number> {
  const text = readFileSync(RECORD_FILE, 'utf8');
  const block = BLOCK.exec(text)?.[1];
  if (block === undefined) throw new Error(`${RECORD_FILE} has no \`\`\`bench-guard block of recorded ratios`);
  const ratios = new Map<string, number>();
  for (const line of block.split('\n').map((part) => part.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [id, value] = line.split(/\s+/);
    const ratio = Number(value);
    if (!id || !(ratio > 0)) throw new Error(`${RECORD_FILE}: bench-guard line "${line}" is not "<scenario> <ratio>"`);
    ratios.set(id, ratio);
  }
  for (const { id } of GUARDED) if (!ratios.has(id)) throw new Error(`${RECORD_FILE}: the bench-guard block has no ratio for ${id}`);
  return ratios;
}

/** One whole measurement on fresh servers: the floor, the scenarios, the floor again. Null when a response was wrong. */
async function measure(run: Run, attempt: number): Promise<Map<string, { rps: number; ratio: number }> | null> {
  const floorServer = await startFloorServer(run);
  const server = await startServer(run, 'sqlite', { dbFile: join(run.workDir, `guard-${attempt}.db`) });
  try {
    const { tokens } = await seedServer(server, run.settings);
    const token = tokens[0]!;
    const before = await measureLoad(run, floorServer, FLOOR, token, 'floor: ');
    const rows = new Map<string, number>();
    for (const { id, scenario } of GUARDED) {
      const row = await measureLoad(run, server, scenario, token, `${id}: `);
      if (row) rows.set(id, row.rps);
    }
    const after = await measureLoad(run, floorServer, FLOOR, token, 'floor: ');
    if (!before || !after || rows.size < GUARDED.length || run.problems.length) return null;
    const floor = (before.rps + after.rps) / 2;
    console.log(`  floor ${int(before.rps)} req/s before, ${int(after.rps)} after: ${int(floor)} req/s\n`);
    return new Map([...rows].map(([id, rps]) => [id, { rps, ratio: rps / floor }]));
  } finally {
    await killServer(server);
    await stopFloorServer(floorServer);
  }
}

/** Prints the comparison; true when every ratio is within TOLERANCE of its recorded figure (false with none recorded). */
function compare(measured: Map<string, { rps: number; ratio: number }>, recorded: Map<string, number> | null): boolean {
  let ok = recorded !== null;
  console.log('| scenario | req/s | ratio to floor | recorded | lowest allowed | ok |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const { id, scenario } of GUARDED) {
    const { rps, ratio } = measured.get(id)!;
    const figure = recorded?.get(id);
    const lowest = figure === undefined ? undefined : figure * (1 - TOLERANCE);
    const pass = lowest !== undefined && ratio >= lowest;
    ok &&= pass;
    const cells = [scenario.name, int(rps), ratio.toFixed(3), figure?.toFixed(3) ?? 'n/a', lowest?.toFixed(3) ?? 'n/a', pass ? 'yes' : 'NO'];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log(`\nTo record these figures, the block in ${RECORD_FILE} would read:\n\`\`\`bench-guard`);
  for (const { id } of GUARDED) console.log(`${id} ${measured.get(id)!.ratio.toFixed(3)}`);
  console.log('```');
  return ok;
}

async function main(run: Run): Promise<number> {
  let recorded: Map<string, number> | null = null;
  try {
    recorded = recordedRatios();
  } catch (error) {
    // Still measured once, so the figures to record get printed.
    console.log(`guard: ${(error as Error).message}: measuring once to print figures to record; the guard fails\n`);
  }
  const started = performance.now();
  const { settings } = run;
  console.log(
    `speed regression guard: S4, S1, S3 on SQLite as ratios to an in-run node:http floor; ` +
      `${settings.duration} s each (+${settings.warmup} s warm-up), ${settings.connections} connections; ` +
      `fails when a ratio is more than ${TOLERANCE * 100} % below ${RECORD_FILE}'s\n`,
  );
  for (let attempt = 1; attempt <= 2; attempt++) {
    const measured = await measure(run, attempt);
    if (!measured) {
      console.log('\nguard: FAILED: error responses (see above); not a speed question, so no retry');
      return 1;
    }
    const ok = compare(measured, recorded);
    if (ok) {
      console.log(`\nguard: passed${attempt > 1 ? ' on the retry' : ''} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      return 0;
    }
    if (!recorded) return 1;
    if (attempt === 1) console.log('\nguard: a ratio is below its lowest allowed figure: measuring everything once more\n');
  }
  console.log(`\nguard: FAILED: a ratio stayed more than ${TOLERANCE * 100} % below its recorded figure twice (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  // The floor needs both cores (its server and autocannon each use about one),
  // the scenarios about one and a quarter: other load lowers the floor more,
  // so it mostly raises the ratios. A failure on a busy machine is still worth a look.
  if (run.disturbed.length) console.log(`  (other processes competed for the CPU during: ${run.disturbed.join('; ')})`);
  return 1;
}

const settings = loadSettings();
settings.backends = ['sqlite'];
settings.duration = Number(process.env.GUARD_DURATION) > 0 ? Number(process.env.GUARD_DURATION) : 3;
// S1 reads the first page and S3 appends: a small table measures the same
// work as the bench's 2,000 messages (seeding those would take most of the time).
settings.users = 5;
settings.messages = 200;
process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const run = createRun(settings);
installExitHandlers(run);
main(run).then(
  async (code) => {
    if (run.interrupted) return;
    await cleanup(run);
    process.exit(code);
  },
  async (error: unknown) => {
    console.error('\nguard failed:', error instanceof Error ? error.message : error);
    await cleanup(run);
    process.exit(1);
  },
);
