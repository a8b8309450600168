// S5, mixed traffic: 90 % reads (S1's page, the peer harness's document) and
// 10 % writes (createMessage) over HTTP under autocannon, while graphql-ws
// clients (200 by default) are subscribed to messageCreated and must each
// receive every message written. Reports the mix's req/s and the delivery
// latency from each write's HTTP response arriving here to each subscriber's
// copy arriving here, matched by message id (both clocks are this process's).
//
// Each subscriber connects from a loopback address of its own (127.77.x.y),
// as separate people's clients would, so the server's per-address cap
// (WS_MAX_CONNECTIONS_PER_IP, 100) keeps its default; 200 clients over the
// 20 seeded users is 10 per user, under WS_MAX_CONNECTIONS_PER_USER (20).
import autocannon from 'autocannon';
import type { Client } from 'graphql-ws';
import { wsClient } from '../tests/support/server.js';
import { DISTURBED_CPU, machineBusySeconds, processCpuSeconds } from './cpu.js';
import { MESSAGE_CREATED, untilEverySubscriberHasOne } from './fanout.js';
import { percentile, sorted } from './format.js';
import { boundWebSocket, loopbackAddress } from './loopback.js';
import { checkSample, requestOptions, S1_SCENARIO, type Scenario } from './scenarios.js';
import { CREATE } from './seed.js';
import type { BenchServer } from './server.js';
import { problem, type MixedResult, type Run } from './state.js';

/** Of every 10 requests a connection sends, 1 is a write. */
const READS_PER_WRITE = 9;
/** After the load stops, deliveries still on the way get this long to arrive before they count as missed. */
const DELIVERY_GRACE_MS = 5_000;

const WRITE: Scenario = {
  name: 'S5 write',
  path: '/graphql',
  query: CREATE,
  variables: { content: 'S5 mixed-traffic write: lorem ipsum dolor sit amet.' },
  check: (body) => (body.data?.createMessage?.id ? null : 'expected createMessage.id'),
};

/** S5's block of loopback addresses: 127.77.x.y. */
const LOOPBACK_BLOCK = 77;

/** Message id -> when each subscriber's copy arrived, and subscriber errors; kept while the clients are open. */
class Subscribers {
  readonly receipts = new Map<string, number[]>();
  readonly received: number[];
  errors = 0;
  private readonly clients: Client[] = [];
  private closing = false;

  constructor(url: string, tokens: string[], count: number) {
    this.received = new Array<number>(count).fill(0);
    for (let i = 0; i < count; i++) {
      const client = wsClient(url, tokens[i % tokens.length], {
        webSocketImpl: boundWebSocket(loopbackAddress(LOOPBACK_BLOCK, i)),
        onNonLazyError: () => void this.errors++,
      });
      this.clients.push(client);
      client.subscribe<{ messageCreated: { id: string } }>(
        { query: MESSAGE_CREATED },
        {
          next: (result) => {
            const arrived = performance.now();
            if (result.errors || !result.data) return void this.errors++;
            this.received[i]!++;
            const id = result.data.messageCreated.id;
            const times = this.receipts.get(id);
            if (times) times.push(arrived);
            else this.receipts.set(id, [arrived]);
          },
          error: () => void this.errors++,
          // A subscription that ends before close() lost its socket.
          complete: () => void (this.closing || this.errors++),
        },
      );
    }
  }

  async close() {
    this.closing = true;
    await Promise.all(this.clients.splice(0).map((client) => client.dispose()));
  }
}

export async function mixedTraffic(run: Run, server: BenchServer, tokens: string[]): Promise<MixedResult | null> {
  const { settings } = run;
  const label = 'S5: ';
  const token = tokens[0]!;
  if (!(await checkSample(run, server.base, S1_SCENARIO, token, label)) || !(await checkSample(run, server.base, WRITE, token, label))) {
    return null;
  }
  const subscribers = new Subscribers(server.url, tokens, settings.mixedSubscribers);
  try {
    await untilEverySubscriberHasOne(server.url, subscribers.received, token);

    // Written message id -> when its HTTP response arrived here.
    const answered = new Map<string, number>();
    let writes = 0;
    let writesWithoutId = 0;
    const onWriteResponse = (status: number, body: string) => {
      const at = performance.now();
      writes++;
      if (status !== 200 || body.includes('"errors"')) return; // counted by autocannon (non-2xx, mismatches)
      try {
        const id = (JSON.parse(body) as { data?: { createMessage?: { id?: string } } }).data?.createMessage?.id;
        if (id) return void answered.set(id, at);
      } catch {
        // counted below
      }
      writesWithoutId++;
    };
    const read = requestOptions(S1_SCENARIO, token);
    const write = requestOptions(WRITE, token);
    const requests = [
      ...Array.from({ length: READS_PER_WRITE }, () => ({ ...read, path: '/graphql' })),
      { ...write, path: '/graphql', onResponse: onWriteResponse },
    ];

    // No separate warm-up: this runs on the server that has just served every
    // other scenario, so its JIT and caches are warm.
    const latencies: number[] = [];
    const serverCpuBefore = processCpuSeconds(server.child.pid);
    const machineBefore = machineBusySeconds();
    const loadCpuBefore = process.cpuUsage();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: server.base,
          connections: settings.connections,
          duration: settings.duration,
          requests,
          verifyBody: (body: string | Buffer | undefined) => !String(body ?? '').includes('"errors"'),
        },
        (error, done) => (error ? reject(error) : resolve(done)),
      );
      instance.on('response', (...args: unknown[]) => void latencies.push(args[3] as number));
    });
    const serverCpuAfter = processCpuSeconds(server.child.pid);
    const machineAfter = machineBusySeconds();
    const loadCpu = process.cpuUsage(loadCpuBefore);
    const serverCpu = serverCpuBefore === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpuBefore;
    const loadSeconds = (loadCpu.user + loadCpu.system) / 1e6;
    const otherCpu =
      machineBefore === null || machineAfter === null || serverCpu === null
        ? null
        : Math.max(0, machineAfter - machineBefore - serverCpu - loadSeconds) / result.duration;
    if (otherCpu !== null && otherCpu > DISTURBED_CPU) run.disturbed.push('S5 mixed traffic');

    // Deliveries still in flight when the load stopped.
    const complete = () => [...answered.keys()].every((id) => (subscribers.receipts.get(id)?.length ?? 0) >= settings.mixedSubscribers);
    const deadline = performance.now() + DELIVERY_GRACE_MS;
    while (!complete() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const delays: number[] = [];
    let missed = 0;
    let duplicates = 0;
    let beforeResponse = 0;
    for (const [id, at] of answered) {
      const times = subscribers.receipts.get(id) ?? [];
      missed += Math.max(0, settings.mixedSubscribers - times.length);
      duplicates += Math.max(0, times.length - settings.mixedSubscribers);
      for (const arrived of times) {
        // The server publishes before it answers: a copy may beat the response.
        if (arrived < at) beforeResponse++;
        delays.push(Math.max(0, arrived - at));
      }
    }
    const subscriptionErrors = subscribers.errors;
    const httpErrors = result.errors + result.timeouts + result.non2xx;
    const failures = httpErrors + result.mismatches + writesWithoutId + missed + duplicates + subscriptionErrors;
    if (failures) {
      problem(
        run,
        `${label}${httpErrors} HTTP errors (connection errors, timeouts, non-2xx), ${result.mismatches} GraphQL error responses, ` +
          `${writesWithoutId} writes without an id, ${missed} missed and ${duplicates} duplicate deliveries, ${subscriptionErrors} subscription errors`,
      );
    }
    const delaysSorted = sorted(delays);
    latencies.sort((a, b) => a - b);
    const total = result.requests.total;
    return {
      subscribers: settings.mixedSubscribers,
      rps: total / result.duration,
      reads: total - writes,
      writes,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      deliveryP50: percentile(delaysSorted, 0.5),
      deliveryP99: percentile(delaysSorted, 0.99),
      deliveries: delays.length,
      beforeResponse,
      failures,
      serverCpu: serverCpu === null ? null : serverCpu / result.duration,
      loadCpu: loadSeconds / result.duration,
      otherCpu,
    };
  } finally {
    await subscribers.close();
  }
}
