// Subscription fan-out over graphql-ws: how long after a createMessage every
// subscriber has the event.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import { wsClient } from '../tests/support/server.js';
import { CREATE, gql } from './seed.js';
import type { BenchServer } from './server.js';
import { problem, type FanOutResult, type Run } from './state.js';

/** What every subscriber of the bench asks for (fan-out and S5). */
export const MESSAGE_CREATED = 'subscription { messageCreated { id content createdAt author { id username } } }';

/**
 * A subscription is live only once the server has processed it (with Redis:
 * once the SUBSCRIBE is acknowledged): posts probe messages until every
 * client has seen one. `received[i]`: messages client i has had so far.
 */
export async function untilEverySubscriberHasOne(url: string, received: number[], token: string) {
  for (let probe = 0; received.some((count) => count === 0); probe++) {
    if (probe > 100) throw new Error('subscribers did not all receive a probe message within ~10 s');
    await gql(url, CREATE, { content: `probe ${probe}` }, token);
    await sleep(100);
  }
}

/**
 * N clients subscribe to messageCreated; messages are posted one at a time.
 * For each: mutation round trip, send -> Nth delivery, and response -> Nth
 * delivery (0 when all deliveries beat the HTTP response: the server publishes
 * before it answers the mutation).
 */
export async function fanOut(run: Run, server: BenchServer, tokens: string[], label: string): Promise<FanOutResult> {
  const { subscribers, fanOutMessages } = run.settings;
  const waiting = new Map<string, { times: number[]; done: () => void }>();
  const received = new Array<number>(subscribers).fill(0);
  const clients: Client[] = [];
  let subscriptionErrors = 0;
  try {
    for (let i = 0; i < subscribers; i++) {
      const client = wsClient(server.url, tokens[i % tokens.length], { onNonLazyError: () => void subscriptionErrors++ });
      clients.push(client);
      client.subscribe<{ messageCreated: { content: string } }>(
        { query: MESSAGE_CREATED },
        {
          next: (result) => {
            if (result.errors || !result.data) return void subscriptionErrors++;
            received[i]!++;
            const entry = waiting.get(result.data.messageCreated.content);
            if (!entry) return;
            entry.times.push(performance.now());
            if (entry.times.length === subscribers) entry.done();
          },
          error: () => void subscriptionErrors++,
          complete: () => {},
        },
      );
    }
    await untilEverySubscriberHasOne(server.url, received, tokens[0]!);

    const out: FanOutResult = { subscribers, messages: fanOutMessages, mutation: [], sendToAll: [], responseToAll: [], lost: 0 };
    for (let m = 0; m < fanOutMessages; m++) {
      const content = `fan-out ${m}`;
      const times: number[] = [];
      const allDelivered = new Promise<boolean>((resolve) => {
        waiting.set(content, { times, done: () => resolve(true) });
        setTimeout(() => resolve(false), 5_000).unref();
      });
      const sent = performance.now();
      await gql(server.url, CREATE, { content }, tokens[m % tokens.length]);
      const answered = performance.now();
      const complete = await allDelivered;
      waiting.delete(content);
      if (!complete) {
        out.lost += subscribers - times.length;
        continue;
      }
      const last = Math.max(...times);
      out.mutation.push(answered - sent);
      out.sendToAll.push(last - sent);
      out.responseToAll.push(Math.max(0, last - answered));
    }
    if (subscriptionErrors) problem(run, `${label}fan-out: ${subscriptionErrors} subscription errors`);
    if (out.lost) problem(run, `${label}fan-out: ${out.lost} deliveries did not arrive within 5 s`);
    return out;
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}
