// The last table of `npm run bench`: the scenarios S1-S7 with this
// run's figures, and for S5 and S6 whether their criterion holds. S1-S4 are
// the peer harness's scenarios (../shared/bench/harness.mjs) on SQLite, S5
// and S6 run on SQLite, S7 is S1 and S3 on PostgreSQL + Redis. A criterion
// that does not hold is reported, not a failure: only failures (errors,
// refusals, missed deliveries) make the run exit non-zero.
import { DISTURBED_CPU } from './cpu.js';
import { int, ms, pct, times } from './format.js';
import { STORM_P99_TARGET } from './report.js';
import { ME, S1, S2, WRITE } from './scenarios.js';
import { LABEL, type Backend } from './settings.js';
import type { LoadResult, Run } from './state.js';

const row = (cells: Array<string | number>) => console.log(`| ${cells.join(' | ')} |`);
/** req/s, with * when other processes competed for the CPU meanwhile (the row's own flag, as in the scenario tables). */
const rps = (value: number, otherCpu: number | null) => `${int(value)}${otherCpu !== null && otherCpu > DISTURBED_CPU ? '*' : ''}`;

export function printSummary(run: Run) {
  console.log('\n=== Summary: the issue\'s scenarios S1-S7 (this run, this machine; compare only within one run) ===');
  row(['scenario', 'backend', 'req/s', 'p50 ms', 'p99 ms', 'criterion', 'holds']);
  row(['---', '---', '---:', '---:', '---:', '---', '---']);

  // S1-S4's targets are ratios to the peers, which only a BENCH_PEERS run measures.
  const load = (id: string, title: string, backend: Backend, name: string, criterion: string) => {
    const result: LoadResult | undefined = run.runs.get(backend)?.results.get(name);
    if (!result) return row([`${id} ${title}`, LABEL[backend], 'n/a', 'n/a', 'n/a', criterion, 'did not run']);
    row([`${id} ${title}`, LABEL[backend], rps(result.rps, result.otherCpu), ms(result.p50), ms(result.p99), criterion, '-']);
  };
  const peers = 'ratio to ceiling (BENCH_PEERS)';
  load('S1', 'read: messages(first: 20) + authors', 'sqlite', S1, peers);
  load('S2', 'by-user: messagesByUser(first: 20)', 'sqlite', S2, peers);
  load('S3', 'write: createMessage', 'sqlite', WRITE, peers);
  load('S4', 'me', 'sqlite', ME, peers);

  const mixed = run.mixed;
  if (mixed) {
    row([
      `S5 mixed 90 % S1 / 10 % S3, ${mixed.subscribers} subscribers (p50/p99: delivery after the write's response)`,
      LABEL.sqlite,
      rps(mixed.rps, mixed.otherCpu),
      ms(mixed.deliveryP50),
      ms(mixed.deliveryP99),
      `zero failures (${mixed.failures})`,
      mixed.failures === 0 ? 'yes' : 'no',
    ]);
  } else row(['S5 mixed traffic', LABEL.sqlite, 'n/a', 'n/a', 'n/a', 'zero failures', 'did not run']);

  const storm = run.loginStorm;
  if (storm) {
    const ratio = storm.during.p99 / storm.alone.p99;
    row([
      `S6 S1 during a login storm (cost 12; alone: ${rps(storm.alone.rps, storm.alone.otherCpu)} req/s, p99 ${ms(storm.alone.p99)} ms)`,
      LABEL.sqlite,
      rps(storm.during.rps, storm.during.otherCpu),
      ms(storm.during.p50),
      ms(storm.during.p99),
      `p99 ≤ ${times(STORM_P99_TARGET)} alone: ${times(ratio)}; ${storm.loginFailures} of ${int(storm.logins)} logins failed`,
      ratio <= STORM_P99_TARGET && storm.loginFailures === 0 ? 'yes' : 'no',
    ]);
  } else row(['S6 S1 during a login storm', LABEL.sqlite, 'n/a', 'n/a', 'n/a', `p99 ≤ ${times(STORM_P99_TARGET)} alone`, 'did not run']);

  if (run.runs.get('postgresql')) {
    load('S7', 'S1 on PostgreSQL + Redis', 'postgresql', S1, 'none');
    load('S7', 'S3 on PostgreSQL + Redis', 'postgresql', WRITE, 'none');
  } else {
    row(['S7 S1 and S3 on PostgreSQL + Redis', LABEL.postgresql, 'n/a', 'n/a', 'n/a', 'none', run.postgresSkipped ?? 'not in BENCH_BACKENDS']);
  }
  if (run.disturbed.length) console.log(`  * other processes used over ${pct(DISTURBED_CPU)} of a core during that measurement: its figures are low`);
}
