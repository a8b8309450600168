// S6, a login storm during S1: S1 alone, then S1 again while a steady stream
// of `login` mutations runs against users whose password hash has bcrypt cost
// 12 (the server's default; the rest of the bench uses 4). Login hashing runs
// in a piscina worker pool (src/auth/passwords.ts) so it should not stall the
// event loop; the issue's target is that S1's p99 stays within 2× of S1 alone.
//
// Its own server, on a copy of the SQLite snapshot the main run seeded (the
// same 2,000 messages S1 read there), with BCRYPT_ROUNDS=12 so the users it
// registers here hash at cost 12. RATE_LIMIT_LOGIN_PER_IP is raised because
// every login attempt counts against it (100 per 15 min by default, fewer than
// one storm sends from one address): the storm must measure hashing, not
// refusals. Every login here succeeds, so the per-username limits (failures
// only) never apply. Everything else, PASSWORD_HASH_THREADS and the queue
// included, stays at the server's defaults. Any login that is not a token
// (refused, error) is a failure.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { postGraphQL, REGISTER } from '../tests/support/server.js';
import { percentile, sorted } from './format.js';
import { printServerOutput } from './report.js';
import { measureLoad, S1_SCENARIO } from './scenarios.js';
import { gql } from './seed.js';
import { killServer, startServer, stopServer } from './server.js';
import { problem, type LoginStormResult, type Run } from './state.js';

export const STORM_BCRYPT_ROUNDS = 12;
const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }';
const PASSWORD = 'correct horse battery staple, at cost 12';

/** Logins kept in flight until `stop()`; counts answers, failures and round trips. */
class Storm {
  private stopped = false;
  private readonly loops: Promise<void>[];
  readonly latencies: number[] = [];
  failures = 0;
  firstFailure: string | null = null;
  readonly started = performance.now();

  constructor(url: string, usernames: string[], inFlight: number) {
    this.loops = Array.from({ length: inFlight }, (_, i) => this.loop(url, usernames[i % usernames.length]!));
  }

  private async loop(url: string, username: string) {
    while (!this.stopped) {
      const sent = performance.now();
      let failure: string | null = null;
      try {
        const result = await postGraphQL<{ login?: { accessToken?: string } }>(url, LOGIN, { input: { username, password: PASSWORD } });
        if (result.errors || !result.data?.login?.accessToken) failure = JSON.stringify(result.errors ?? result).slice(0, 300);
      } catch (error) {
        failure = (error as Error).message;
      }
      this.latencies.push(performance.now() - sent);
      if (failure) {
        this.failures++;
        this.firstFailure ??= failure;
      }
    }
  }

  /** How long the storm ran, in seconds, once stopped. */
  seconds = 0;

  /** Lets the logins in flight finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.seconds = (performance.now() - this.started) / 1000;
  }
}

export async function loginStorm(run: Run): Promise<LoginStormResult | null> {
  const { settings } = run;
  console.log(`\n=== S6: S1 alone, then during a login storm (bcrypt cost ${STORM_BCRYPT_ROUNDS}, ${settings.stormInFlight} logins in flight) ===`);
  const dbFile = join(run.workDir, 's6.db');
  copyFileSync(run.snapshotFile, dbFile);
  const server = await startServer(run, 'sqlite', {
    dbFile,
    env: { BCRYPT_ROUNDS: String(STORM_BCRYPT_ROUNDS), RATE_LIMIT_LOGIN_PER_IP: '1000000' },
  });
  try {
    // Registering hashes at cost 12 too: these are the storm's users.
    const usernames = Array.from({ length: settings.stormUsers }, (_, i) => `storm_user_${i}`);
    const tokens: string[] = [];
    for (const username of usernames) {
      const data = await gql<{ register: { accessToken: string } }>(server.url, REGISTER, { input: { username, password: PASSWORD } });
      tokens.push(data.register.accessToken);
    }
    // The names carry "S6: ", so measureLoad's own label (for problems and the disturbed list) stays empty.
    const s1 = (name: string) => ({ ...S1_SCENARIO, name: `S6: S1 ${name}` });
    const alone = await measureLoad(run, server, s1('alone'), tokens[0]!, '');
    if (!alone) return null;

    // Started before measureLoad's warm-up, so the hash pool is busy and its
    // queue full to `stormInFlight` before the measured seconds begin.
    const storm = new Storm(server.url, usernames, settings.stormInFlight);
    const during = await measureLoad(run, server, s1('during login storm'), tokens[0]!, '').finally(() => storm.stop());
    if (!during) return null;
    const logins = storm.latencies.length;
    if (storm.failures) problem(run, `S6: ${storm.failures} of ${logins} logins failed (first: ${storm.firstFailure})`);
    const loginLatencies = sorted(storm.latencies);
    await stopServer(server);
    printServerOutput(server);
    return {
      alone,
      during,
      logins,
      loginFailures: storm.failures,
      loginsPerSecond: logins / storm.seconds,
      loginP50: percentile(loginLatencies, 0.5),
      loginP99: percentile(loginLatencies, 0.99),
      inFlight: settings.stormInFlight,
    };
  } finally {
    await killServer(server);
  }
}
