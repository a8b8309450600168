// The conversation event stream under the bench (graphql-ws):
//   C3, fan-out: every member of a channel (100) holds a live
//      events(conversationId:) subscription while one member sends messages
//      into it, one at a time. Delivery latency runs from the send's HTTP
//      response arriving here to each member's copy arriving here, matched by
//      message id (both clocks are this process's); a copy that beats the
//      response counts as 0, as in S5.
//   C4, replay: a subscriber takes a cursor and disconnects, 1,000 messages
//      are sent into its conversation, it reconnects and subscribes with
//      events(after: cursor). Timed from creating the new client (the
//      connection and its init are part of resuming) to the 1,000th event;
//      the events must be exactly the messages sent, in the order sent, each
//      once. The next round resumes from the last event's cursor.
import type { Client } from 'graphql-ws';
import { wsClient } from '../tests/support/server.js';
import { percentile, sorted } from './format.js';
import { boundWebSocket, loopbackAddress } from './loopback.js';
import { gql } from './seed.js';
import { SEND, type Account } from './conversationSeed.js';
import type { BenchServer } from './server.js';
import type { ChannelFanOutResult, ReplayResult } from './state.js';

/** What every conversation subscriber asks for: the event's cursor and, for a message, the message as the page shows it. */
const EVENTS = `subscription Events($conversationId: ID!, $after: String) {
  events(conversationId: $conversationId, after: $after) {
    __typename cursor conversationId
    ... on MessageCreatedEvent { message { id content createdAt author { id username } } }
  }
}`;

interface StreamEvent {
  __typename: string;
  cursor: string | null;
  message?: { id: string };
}

/** C3's block of loopback addresses (S5 uses 127.77): each member's socket comes from an address of its own. */
const LOOPBACK_BLOCK = 78;
/** After the last send, deliveries still on the way get this long before they count as missed. */
const DELIVERY_GRACE_MS = 5_000;
/** A replay round that has not delivered everything by then has failed. */
const REPLAY_TIMEOUT_MS = 60_000;
/** After the last expected event, how long to keep listening for extra (duplicate) ones; not part of the time. */
const REPLAY_SETTLE_MS = 300;

/** Sends one message into the conversation; resolves with its id and when the response arrived here. */
async function send(server: BenchServer, writer: Account, conversationId: string, content: string) {
  const sent = performance.now();
  const data = await gql<{ createMessage: { id: string } }>(server.url, SEND, { content, conversationId }, writer.token);
  return { id: data.createMessage.id, sent, answered: performance.now() };
}

export interface StreamProblems {
  /** Called with a description of each failure; the caller records it (the run then exits non-zero). */
  report: (text: string) => void;
}

/** C3: `members` each subscribe (from addresses of their own); members[0] sends `messages` messages. */
export async function channelFanOut(
  server: BenchServer,
  conversationId: string,
  members: Account[],
  messages: number,
  problems: StreamProblems,
): Promise<ChannelFanOutResult> {
  const receipts = new Map<string, number[]>();
  const received = new Array<number>(members.length).fill(0);
  let subscriptionErrors = 0;
  let closing = false;
  const clients: Client[] = members.map((member, i) => {
    const client = wsClient(server.url, member.token, {
      webSocketImpl: boundWebSocket(loopbackAddress(LOOPBACK_BLOCK, i)),
      onNonLazyError: () => void subscriptionErrors++,
    });
    client.subscribe<{ events: StreamEvent }>(
      { query: EVENTS, variables: { conversationId } },
      {
        next: (result) => {
          const arrived = performance.now();
          const id = result.data?.events.message?.id;
          if (result.errors || !id) return void subscriptionErrors++;
          received[i]!++;
          const times = receipts.get(id);
          if (times) times.push(arrived);
          else receipts.set(id, [arrived]);
        },
        error: () => void subscriptionErrors++,
        // A subscription that ends before the clients close lost its socket.
        complete: () => void (closing || subscriptionErrors++),
      },
    );
    return client;
  });
  const writer = members[0]!;
  try {
    // Live once the server has processed the subscribe: probe until every member has had a message.
    for (let probe = 0; received.some((count) => count === 0); probe++) {
      if (probe > 100) throw new Error('C3: the members did not all receive a probe message within ~10 s');
      await send(server, writer, conversationId, `C3 probe ${probe}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const answered = new Map<string, number>();
    const roundTrips: number[] = [];
    for (let m = 0; m < messages; m++) {
      const result = await send(server, writer, conversationId, `C3 fan-out ${m}: lorem ipsum dolor sit amet.`);
      answered.set(result.id, result.answered);
      roundTrips.push(result.answered - result.sent);
    }
    const complete = () => [...answered.keys()].every((id) => (receipts.get(id)?.length ?? 0) >= members.length);
    const deadline = performance.now() + DELIVERY_GRACE_MS;
    while (!complete() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const delays: number[] = [];
    let missed = 0;
    let duplicates = 0;
    let beforeResponse = 0;
    for (const [id, at] of answered) {
      const times = receipts.get(id) ?? [];
      missed += Math.max(0, members.length - times.length);
      duplicates += Math.max(0, times.length - members.length);
      for (const arrived of times) {
        // The server publishes before it answers: a copy may beat the response.
        if (arrived < at) beforeResponse++;
        delays.push(Math.max(0, arrived - at));
      }
    }
    if (missed || duplicates || subscriptionErrors) {
      problems.report(`C3: ${missed} missed and ${duplicates} duplicate deliveries, ${subscriptionErrors} subscription errors`);
    }
    const [delaysSorted, tripsSorted] = [sorted(delays), sorted(roundTrips)];
    return {
      members: members.length,
      messages,
      sendP50: percentile(tripsSorted, 0.5),
      sendP99: percentile(tripsSorted, 0.99),
      deliveryP50: percentile(delaysSorted, 0.5),
      deliveryP99: percentile(delaysSorted, 0.99),
      deliveries: delays.length,
      beforeResponse,
      missed,
      duplicates,
      subscriptionErrors,
    };
  } finally {
    closing = true;
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

/**
 * Subscribes and collects events until `until` says stop; resolves with them
 * (and their arrival times), or rejects after `timeoutMs`. The client is the
 * caller's to dispose.
 */
function collect(client: Client, variables: Record<string, unknown>, until: (events: StreamEvent[]) => boolean, timeoutMs: number) {
  const events: StreamEvent[] = [];
  const arrivals: number[] = [];
  let errors = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${events.length} events within ${timeoutMs / 1000} s`)), timeoutMs);
    client.subscribe<{ events: StreamEvent }>(
      { query: EVENTS, variables },
      {
        next: (result) => {
          if (result.errors || !result.data) {
            errors++;
            return reject(new Error(`subscription error: ${JSON.stringify(result.errors).slice(0, 300)}`));
          }
          events.push(result.data.events);
          arrivals.push(performance.now());
          if (until(events)) {
            clearTimeout(timer);
            resolve();
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error).slice(0, 300))),
        complete: () => {},
      },
    );
  });
  return { done, events, arrivals, errors: () => errors };
}

/** C4: `rounds` times, `count` events missed then replayed from the cursor. */
export async function replayMissed(
  server: BenchServer,
  conversationId: string,
  reader: Account,
  writer: Account,
  count: number,
  rounds: number,
  problems: StreamProblems,
): Promise<ReplayResult> {
  const result: ReplayResult = { events: count, allReceived: [], firstReceived: [], sendP50: NaN, failures: 0 };
  const roundTrips: number[] = [];

  // The first cursor: subscribe, get one event (a probe message), disconnect.
  let cursor: string;
  {
    const client = wsClient(server.url, reader.token);
    try {
      const first = collect(client, { conversationId }, (events) => events.length > 0, 10_000);
      // The subscription is live once the server has processed it: probe until an event arrives.
      for (let probe = 0; first.events.length === 0; probe++) {
        if (probe > 100) throw new Error('C4: no probe message arrived within ~10 s');
        await send(server, writer, conversationId, `C4 probe ${probe}`);
        await Promise.race([first.done, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      await first.done;
      // A probe sent just before the first event arrived may still be on its
      // way: let it arrive, and resume after the last one, so a round's replay
      // holds only that round's messages.
      await new Promise((resolve) => setTimeout(resolve, REPLAY_SETTLE_MS));
      cursor = first.events.at(-1)!.cursor!;
    } finally {
      await client.dispose();
    }
  }

  for (let round = 0; round < rounds; round++) {
    // Missed: sent while the reader has no connection, one at a time (so the send order is the commit order).
    const sent: string[] = [];
    for (let i = 0; i < count; i++) {
      const { id, sent: at, answered } = await send(server, writer, conversationId, `C4 round ${round} message ${i}: lorem ipsum.`);
      sent.push(id);
      roundTrips.push(answered - at);
    }

    const start = performance.now();
    const client = wsClient(server.url, reader.token);
    try {
      const replay = collect(client, { conversationId, after: cursor }, (events) => events.length >= count, REPLAY_TIMEOUT_MS);
      await replay.done;
      const allAt = replay.arrivals[count - 1]!;
      // Anything more now would be a duplicate or an event nobody sent.
      await new Promise((resolve) => setTimeout(resolve, REPLAY_SETTLE_MS));
      const ids = replay.events.map((event) => event.message?.id);
      const outOfPlace = sent.filter((id, i) => ids[i] !== id).length;
      const extra = replay.events.length - count;
      if (outOfPlace || extra || replay.errors()) {
        result.failures++;
        problems.report(
          `C4 round ${round + 1}: ${replay.events.length} events for ${count} missed messages, ${outOfPlace} not the message sent at that place, ${replay.errors()} errors`,
        );
      }
      result.allReceived.push(allAt - start);
      result.firstReceived.push(replay.arrivals[0]! - start);
      cursor = replay.events[count - 1]!.cursor!;
    } catch (error) {
      result.failures++;
      problems.report(`C4 round ${round + 1}: ${(error as Error).message}`);
      break; // the cursor did not move: a next round would replay this one's messages too
    } finally {
      await client.dispose();
    }
  }
  result.sendP50 = percentile(sorted(roundTrips), 0.5);
  return result;
}
