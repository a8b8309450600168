// The event stream across two instances on PostgreSQL + Redis: commit
// order under concurrent writers on both instances (the trap: a sequence
// number is taken at insert, not at commit), resuming on the other
// instance, and a removal on one instance ending delivery on the other.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { postGraphQL, REGISTER, type Account } from '../support/server.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL, skipWithoutRedis, uniquePrefix } from '../support/redis.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { ADD, EVENTS, REMOVE, SEND, TYPING, ok } from '../support/conversations.js';

const skip = await skipWithoutRedis();

const WRITERS = 4;
const SENDS_PER_WRITER = 50;

describe('event stream on two instances (PostgreSQL + Redis)', { skip }, () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const clients: Array<ReturnType<typeof createClient>> = [];
  let owner: Account;
  let reader: Account;
  const writers: Account[] = [];

  const gqlOn = (server: ServerProcess) => (query: string, variables: Record<string, unknown>, who: Account) => postGraphQL(server.url, query, variables, who.accessToken);
  const eventsOn = (server: ServerProcess, who: Account, variables: Record<string, unknown>) => {
    const client = createClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${who.accessToken}` } });
    clients.push(client);
    return subscribe<{ events: any }>(client, EVENTS, variables);
  };
  const register = async (server: ServerProcess, username: string): Promise<Account> => {
    const payload = (await ok(postGraphQL(server.url, REGISTER, { input: { username, password: 'event stream password' } }))).register;
    return { id: payload.user.id, username, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
  };

  /** The conversation's message events in position order, as PostgreSQL holds them. */
  const storedOrder = async (conversationId: string, afterSeq: number): Promise<string[]> => {
    const schema = new URL(database.url).searchParams.get('schema')!;
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT "messageId" FROM "${schema}"."ConversationEvent" WHERE "conversationId" = $1 AND "seq" > $2 AND "type" = 'MESSAGE_CREATED' ORDER BY "seq"`,
        [conversationId, afterSeq],
      );
      return rows.map((row) => row.messageId as string);
    } finally {
      await client.end();
    }
  };
  const seqOf = async (conversationId: string): Promise<number> => {
    const schema = new URL(database.url).searchParams.get('schema')!;
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      return (await client.query(`SELECT "eventSeq" FROM "${schema}"."Conversation" WHERE "id" = $1`, [conversationId])).rows[0].eventSeq;
    } finally {
      await client.end();
    }
  };

  before(async () => {
    database = await createTestDatabase('postgresql');
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: uniquePrefix(), RATE_LIMIT_REGISTER_PER_IP: '1000' };
    [a, b] = await Promise.all([spawnServer(database.url, env), spawnServer(database.url, env)]);
    owner = await register(a, 'owner');
    reader = await register(b, 'reader');
    for (let i = 0; i < WRITERS; i++) writers.push(await register(i % 2 === 0 ? a : b, `writer${i}`));
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    for (const server of [a, b]) server?.child.kill('SIGTERM');
    await Promise.all([a, b].map((server) => server?.exited));
    await database.drop();
  });

  const takeAll = async (stream: Subscription<{ events: any }>, count: number) => {
    const out: any[] = [];
    for (let i = 0; i < count; i++) out.push((await stream.next(10_000)).events);
    return out;
  };

  for (let round = 1; round <= 3; round++) {
    test(`round ${round}: ${WRITERS} concurrent writers on both instances; live and resumed streams on B get exactly the ${WRITERS * SENDS_PER_WRITER} writes, in commit order`, async () => {
      const channel = (await ok(gqlOn(a)(`mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }`, {
        input: { name: `order-${round}`, visibility: 'PRIVATE', memberUsernames: [reader.username, ...writers.map((w) => w.username)] },
      }, owner))).createChannel;
      const start = await seqOf(channel.id);
      // A cursor from before the writes.
      const before = await eventsOn(b, reader, { c: channel.id });
      await ok(gqlOn(a)(SEND, { input: { content: 'before', conversationId: channel.id } }, owner));
      const { cursor } = (await before.next()).events;
      before.stop();
      const live = await eventsOn(b, reader, { c: channel.id, after: cursor });

      const sent: string[][] = await Promise.all(
        writers.map(async (writer, w) => {
          const ids: string[] = [];
          const send = gqlOn(w % 2 === 0 ? a : b);
          for (let i = 0; i < SENDS_PER_WRITER; i++) {
            ids.push((await ok(send(SEND, { input: { content: `w${w} #${i}`, conversationId: channel.id } }, writer))).createMessage.id);
          }
          return ids;
        }),
      );
      const expected = await storedOrder(channel.id, start + 1);
      assert.equal(expected.length, WRITERS * SENDS_PER_WRITER);

      const resumed = await eventsOn(b, reader, { c: channel.id, after: cursor });
      for (const stream of [live, resumed]) {
        const got = (await takeAll(stream, expected.length)).map((e) => e.message.id);
        assert.deepEqual(got, expected, 'every write once, in the order of their positions');
        await assert.rejects(stream.next(300), /no event/, 'nothing more');
        stream.stop();
      }
      // Each writer's own sends (one after another) keep their order: positions follow commits.
      for (const ids of sent) assert.deepEqual(expected.filter((id) => ids.includes(id)), ids);
    });
  }

  test('a removal on A ends delivery on B within a second; typing on A reaches B', async () => {
    const channel = (await ok(gqlOn(a)(`mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }`, {
      input: { name: 'removal', visibility: 'PRIVATE', memberUsernames: [reader.username] },
    }, owner))).createChannel;
    const stream = await eventsOn(b, reader, {});
    const readOnB = async () => (await ok(gqlOn(b)(`query ($id: ID!) { conversation(id: $id) { id } }`, { id: channel.id }, reader))).conversation;
    assert.notEqual(await readOnB(), null); // B now holds the reader's access in memory
    await ok(gqlOn(a)(TYPING, { c: channel.id }, owner));
    assert.equal((await stream.next()).events.__typename, 'TypingEvent');
    const removedAt = Date.now();
    await ok(gqlOn(a)(REMOVE, { c: channel.id, u: reader.username }, owner));
    const left = (await stream.next(1000)).events;
    assert.deepEqual([left.__typename, left.user.username], ['MemberLeftEvent', reader.username]);
    assert.ok(Date.now() - removedAt < 1000);
    while ((await readOnB()) !== null) {
      assert.ok(Date.now() - removedAt < 1000, 'conversation(id) on B forgets the removal within a second');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await ok(gqlOn(a)(SEND, { input: { content: 'after the removal', conversationId: channel.id } }, owner));
    await assert.rejects(stream.next(500), /no event/);
    // Added back on A: the stream on B widens again.
    await ok(gqlOn(a)(ADD, { c: channel.id, u: [reader.username] }, owner));
    assert.equal((await stream.next(1000)).events.__typename, 'MemberJoinedEvent');
    stream.stop();
  });
});
