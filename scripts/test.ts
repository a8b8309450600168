// `npm test`: the suite on embedded SQLite, then again on PostgreSQL (a fresh
// schema per test server) when one is reachable. MATRIX below says which
// folders of tests/ run in which pass.
//
//   TEST_POSTGRES_URL   PostgreSQL for the second run (default postgresql://postgres@127.0.0.1:5432/test)
//   REQUIRE_POSTGRES=1  fail instead of skipping when PostgreSQL is unreachable (CI sets it)
//   REQUIRE_REDIS=1     the scale-out tests fail instead of skipping without Redis (CI sets it)
//   TEST_ONLY=sqlite|postgresql   run one side only
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import pg from 'pg';

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const files = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => `${dir}/${name}`);

/**
 * The test matrix: which folders of tests/ run on which database. A folder is
 * named for where its files run:
 *
 *   api/         the server end to end (HTTP, WebSocket, processes): both databases
 *   security/    the limits must hold whatever the database: both
 *   postgresql/  PostgreSQL itself, and several instances sharing one database: PostgreSQL only
 *   sqlite/      SQLite itself (its migration runner, the schema engine on SQLite files): SQLite only
 *   unit/        pure logic, no database: once (in the SQLite pass)
 *   once/        nothing database-specific (schema contract, deployment files): once (in the SQLite pass)
 *   browser/     the chat page at /app in Chromium (playwright-core): once (in the SQLite pass)
 *   examples/    the client examples (examples/) and trusted documents, against the real server: once (in the SQLite pass)
 *
 * A test file outside these folders would never run: the run fails instead.
 */
const MATRIX = {
  sqlite: ['api', 'security', 'sqlite', 'unit', 'once', 'browser', 'examples'],
  postgresql: ['api', 'security', 'postgresql'],
} as const;

const runs = Object.entries(MATRIX).map(([name, folders]) => ({
  name,
  files: folders.flatMap((folder) => files(`tests/${folder}`)),
}));

const inMatrix = new Set<string>(Object.values(MATRIX).flat());
const unmatched = readdirSync('tests').flatMap((entry) => {
  const isDir = statSync(`tests/${entry}`).isDirectory();
  if (isDir) return inMatrix.has(entry) || files(`tests/${entry}`).length === 0 ? [] : [`tests/${entry}/`];
  return entry.endsWith('.test.ts') ? [`tests/${entry}`] : [];
});

interface Summary {
  pass: number;
  fail: number;
  skipped: number;
}

/**
 * Runs one pass. Its report is held back and printed whole when the pass
 * ends, because the passes run at the same time (see below).
 */
function runSuite(name: string, testFiles: readonly string[], env: NodeJS.ProcessEnv): Promise<Summary & { code: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...testFiles], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      console.log(`\n=== ${name}: ${testFiles.length} files ===`);
      process.stdout.write(output);
      const count = (label: string) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
      resolve({ pass: count('pass'), fail: count('fail'), skipped: count('skipped'), code: code ?? 1 });
    });
  });
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const only = process.env.TEST_ONLY;
const totals: Summary = { pass: 0, fail: 0, skipped: 0 };
const lines: string[] = [];
let failed = false;

if (unmatched.length > 0) {
  lines.push(`not in the test matrix (MATRIX in scripts/test.ts), so never run: ${unmatched.join(', ')}`);
  failed = true;
}

/**
 * The passes run at the same time: most of a test's time is waiting (timers,
 * sockets, child processes), so two passes on two cores take little longer
 * than one. Each database pass has its own databases (a temp file; a fresh
 * schema), and the Redis tests use their own key prefixes.
 */
async function runPass(run: (typeof runs)[number]): Promise<string> {
  if (run.name === 'postgresql') {
    const problem = await postgresReachable();
    if (problem) {
      const why = `PostgreSQL at ${POSTGRES_URL} is not reachable (${problem})`;
      if (process.env.REQUIRE_POSTGRES === '1') {
        failed = true;
        return `postgresql: FAILED to run: ${why}, and REQUIRE_POSTGRES=1`;
      }
      return `postgresql: SKIPPED: ${why}. Set TEST_POSTGRES_URL to run it.`;
    }
  }
  const result = await runSuite(run.name, run.files, { TEST_DATABASE: run.name });
  totals.pass += result.pass;
  totals.fail += result.fail;
  totals.skipped += result.skipped;
  if (result.code !== 0) failed = true;
  return `${run.name}: ${result.pass} passed, ${result.fail} failed, ${result.skipped} skipped`;
}

// Some tests run the server as `npm start` does (the bundled build): build
// it here, once, when it is stale, so the passes never build side by side.
execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });

lines.push(...(await Promise.all(runs.filter((run) => !only || only === run.name).map(runPass))));

console.log('\n=== summary ===');
for (const line of lines) console.log(line);
console.log(`total: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exitCode = failed || totals.fail > 0 ? 1 : 0;
