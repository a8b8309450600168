// What the bench prints for C1-C4 (conversations.ts): each backend's section
// after its scenario rows, and the summary table at the end of the run.
import { DISTURBED_CPU } from './cpu.js';
import { int, ms, percentile, sorted, times } from './format.js';
import { LABEL, type Backend } from './settings.js';
import type { ConversationsResult, LoadResult, Run } from './state.js';

/** The target for C1: a conversation's page serves at least this share of the public page's req/s. */
export const C1_TARGET = 0.85;

/** Rounds of one scenario as one figure: req/s and latencies are the rounds' means; disturbed if any round was. */
function combined(rows: LoadResult[]): { rps: number; p50: number; p99: number; otherCpu: number | null } | null {
  if (rows.length === 0) return null;
  const mean = (pick: (row: LoadResult) => number) => rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
  const others = rows.map((row) => row.otherCpu).filter((value): value is number => value !== null);
  return { rps: mean((r) => r.rps), p50: mean((r) => r.p50), p99: mean((r) => r.p99), otherCpu: others.length ? Math.max(...others) : null };
}

/** C1 and S1 over their rounds, and C1's req/s ÷ S1's; null when either did not run. */
export function c1VersusS1(result: ConversationsResult) {
  const [c1, s1] = [combined(result.c1), combined(result.s1)];
  return c1 && s1 ? { c1, s1, ratio: c1.rps / s1.rps } : null;
}

const median = (values: number[]) => percentile(sorted(values), 0.5);
const flag = (otherCpu: number | null) => (otherCpu !== null && otherCpu > DISTURBED_CPU ? '*' : '');

export function printConversations(result: ConversationsResult) {
  const pair = c1VersusS1(result);
  console.log('\nC1 beside S1 (measured S1, C1, C1, S1 on this server; each the mean of its two rounds)');
  if (pair) {
    console.log(
      `  S1 ${int(pair.s1.rps)}${flag(pair.s1.otherCpu)} req/s (p99 ${ms(pair.s1.p99)} ms)   C1 ${int(pair.c1.rps)}${flag(pair.c1.otherCpu)} req/s ` +
        `(p99 ${ms(pair.c1.p99)} ms)   C1/S1 ${pair.ratio.toFixed(2)} (target ≥ ${C1_TARGET}: ${pair.ratio >= C1_TARGET ? 'met' : 'not met'})`,
    );
  } else console.log('  n/a (a sample response was wrong)');

  const { c2, c2FarBehind, c2Unread } = result;
  if (c2 && c2FarBehind) {
    console.log('\nC2 conversations(first: 50) { unreadCount lastMessage }, one of the 50 with 100,000 messages');
    console.log(`  read position mid-way there (${int(c2Unread.middle)} unread)   ${int(c2.rps)} req/s   p50 ${ms(c2.p50)} ms   p99 ${ms(c2.p99)} ms`);
    console.log(
      `  read position at its start (${int(c2Unread.farBehind)} unread)    ${int(c2FarBehind.rps)} req/s   p50 ${ms(c2FarBehind.p50)} ms   ` +
        `p99 ${ms(c2FarBehind.p99)} ms   (${times(c2.rps / c2FarBehind.rps)} the time per request)`,
    );
  }

  const fan = result.fanOut;
  if (fan) {
    console.log(`\nC3 fan-out: ${fan.members} members subscribed to events(conversationId:), one of them sends ${fan.messages} messages one at a time`);
    console.log(`  send round trip   p50 ${ms(fan.sendP50)} ms   p99 ${ms(fan.sendP99)} ms`);
    console.log(
      `  delivery          p50 ${ms(fan.deliveryP50)} ms   p99 ${ms(fan.deliveryP99)} ms   (send's HTTP response here -> each member's copy here; ` +
        `${int(fan.deliveries)} deliveries, ${int(fan.beforeResponse)} arrived before the response and count as 0)`,
    );
    console.log(`  missed ${fan.missed}, duplicates ${fan.duplicates}, subscription errors ${fan.subscriptionErrors}`);
  }

  const replay = result.replay;
  if (replay && replay.allReceived.length) {
    const all = median(replay.allReceived);
    console.log(`\nC4 replay: ${int(replay.events)} events missed while disconnected, then events(after: cursor), ${replay.allReceived.length} rounds`);
    console.log(
      `  subscribe -> all ${int(replay.events)}   median ${int(all)} ms (rounds: ${replay.allReceived.map(int).join(', ')} ms; ` +
        `${int((replay.events / all) * 1000)} events/s)   first event median ${int(median(replay.firstReceived))} ms`,
    );
    console.log(`  the missed sends (no subscriber live): round trip p50 ${ms(replay.sendP50)} ms   failures ${replay.failures} (count, order, duplicates)`);
  }
}

const row = (cells: Array<string | number>) => console.log(`| ${cells.join(' | ')} |`);

/** The closing table of C1-C4, one block per backend that ran them. */
export function printConversationSummary(run: Run) {
  const backends = (['sqlite', 'postgresql'] as Backend[]).filter((backend) => run.runs.get(backend)?.conversations);
  if (!run.settings.conversations) return console.log('\nConversations C1-C4: not run (BENCH_CONVERSATIONS=0)');
  console.log('\n=== Summary: conversations C1-C4 (this run, this machine) ===');
  row(['scenario', 'backend', 'req/s', 'p50 ms', 'p99 ms', 'criterion', 'holds']);
  row(['---', '---', '---:', '---:', '---:', '---', '---']);
  if (backends.length === 0) row(['C1-C4', 'all', 'n/a', 'n/a', 'n/a', '', 'did not run']);
  for (const backend of backends) {
    const result = run.runs.get(backend)!.conversations!;
    const name = LABEL[backend];
    const pair = c1VersusS1(result);
    if (pair) {
      row([
        `C1 conversation page 20 (S1 beside it: ${int(pair.s1.rps)}${flag(pair.s1.otherCpu)} req/s)`,
        name,
        `${int(pair.c1.rps)}${flag(pair.c1.otherCpu)}`,
        ms(pair.c1.p50),
        ms(pair.c1.p99),
        `C1/S1 ≥ ${C1_TARGET}: ${pair.ratio.toFixed(2)}`,
        pair.ratio >= C1_TARGET ? 'yes' : 'no',
      ]);
    } else row(['C1 conversation page 20', name, 'n/a', 'n/a', 'n/a', `C1/S1 ≥ ${C1_TARGET}`, 'did not run']);
    for (const [title, load] of [
      [`C2 50 conversations + unread, read mid-way (${int(result.c2Unread.middle)} unread in one)`, result.c2],
      [`C2 the same, read at the start (${int(result.c2Unread.farBehind)} unread in one)`, result.c2FarBehind],
    ] as const) {
      row(load ? [title, name, `${int(load.rps)}${flag(load.otherCpu)}`, ms(load.p50), ms(load.p99), 'none', '-'] : [title, name, 'n/a', 'n/a', 'n/a', 'none', 'did not run']);
    }
    const fan = result.fanOut;
    row(
      fan
        ? [
            `C3 fan-out, ${fan.members} members, ${fan.messages} sends (p50/p99: delivery after the send's response)`,
            name,
            '-',
            ms(fan.deliveryP50),
            ms(fan.deliveryP99),
            `zero missed (${fan.missed} of ${int(fan.members * fan.messages)})`,
            fan.missed + fan.duplicates + fan.subscriptionErrors === 0 ? 'yes' : 'no',
          ]
        : ['C3 fan-out', name, 'n/a', 'n/a', 'n/a', 'zero missed', 'did not run'],
    );
    const replay = result.replay;
    row(
      replay && replay.allReceived.length
        ? [
            `C4 replay of ${int(replay.events)} missed events (p50: median ms to all, p99: slowest of ${replay.allReceived.length})`,
            name,
            '-',
            int(median(replay.allReceived)),
            int(Math.max(...replay.allReceived)),
            `exactly ${int(replay.events)}, in order (${replay.failures} failed rounds)`,
            replay.failures === 0 ? 'yes' : 'no',
          ]
        : ['C4 replay', name, 'n/a', 'n/a', 'n/a', 'exactly all, in order', 'did not run'],
    );
  }
}
