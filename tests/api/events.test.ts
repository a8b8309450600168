// The resumable event stream `events(after, conversationId)` with a real
// graphql-ws client: live delivery, resume without gap or duplicate, replay
// with current state, RESYNC_REQUIRED, typing, and a stream that widens and
// narrows with membership.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { ADD, EVENTS, MARK_READ, REMOVE, TYPING, UPDATE_CHANNEL, conversationApi, ok } from '../support/conversations.js';

let server: TestServer;
let api: ReturnType<typeof conversationApi>;
let ann: Account, ben: Account, cat: Account;

before(async () => {
  server = await startTestServer({ EVENT_RETENTION: '3s' });
  api = conversationApi(server.gql);
  [ann, ben, cat] = (await Promise.all(['ann', 'ben', 'cat'].map((name) => registerUser(server, `${name}_${process.pid}`)))) as [Account, Account, Account];
});
after(() => server.stop());

const gql = (query: string, variables: Record<string, unknown>, who: Account) => server.gql(query, variables, who.accessToken);
const events = (who: Account, variables: Record<string, unknown> = {}) => subscribe<{ events: any }>(server.ws(who.accessToken), EVENTS, variables);
const take = async (stream: Subscription<{ events: any }>, count: number) => {
  const out = [];
  for (let i = 0; i < count; i++) out.push((await stream.next()).events);
  return out;
};
const summary = (e: any) =>
  `${e.__typename}:${e.message?.content ?? e.messageId ?? e.membership?.user.username ?? e.user?.username ?? e.conversation?.name ?? ''}`;

describe('live', () => {
  test("members receive every durable change with a cursor; a non-member's stream gets nothing", async () => {
    const channel = await api.channel(ann, { name: 'live-room', visibility: 'PRIVATE', memberUsernames: [ben.username] });
    const bens = await events(ben);
    const cats = await events(cat);
    const message = await api.send(ann, channel.id, 'hello');
    await ok(gql(`mutation ($id: ID!) { updateMessage(id: $id, input: { content: "hello!" }) { id } }`, { id: message.id }, ann));
    await ok(gql(MARK_READ, { c: channel.id, m: message.id }, ben));
    await ok(gql(UPDATE_CHANNEL, { id: channel.id, input: { name: 'live-room-2' } }, ann));
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: message.id }, ann));
    const got = await take(bens, 5);
    assert.deepEqual(got.map(summary), [
      'MessageCreatedEvent:hello',
      'MessageUpdatedEvent:hello!',
      `ReadPositionEvent:${ben.username}`,
      'ConversationUpdatedEvent:live-room-2',
      `MessageDeletedEvent:${message.id}`,
    ]);
    assert.ok(got.every((e) => typeof e.cursor === 'string' && e.conversationId === channel.id));
    await assert.rejects(cats.next(300), /no event/);
    bens.stop();
    cats.stop();
    // Asking for the conversation by id learns nothing either.
    const direct = await events(cat, { c: channel.id });
    const errors = (await direct.failed) as Array<{ extensions?: { code?: string } }>;
    assert.deepEqual(errors.map((e) => e.extensions?.code), ['NOT_FOUND']);
    direct.stop();
  });

  test('typing reaches the other members, throttled, never to the typist, never replayed', async () => {
    const channel = await api.channel(ann, { name: 'typing-room', memberUsernames: [ben.username] });
    const bens = await events(ben, { c: channel.id });
    const anns = await events(ann, { c: channel.id });
    for (let i = 0; i < 3; i++) assert.equal((await ok(gql(TYPING, { c: channel.id }, ann))).typing, true);
    const typing = (await bens.next()).events;
    assert.deepEqual([typing.__typename, typing.user.username, typing.cursor], ['TypingEvent', ann.username, null]);
    await assert.rejects(bens.next(500), /no event/, 'calls within 3 s publish nothing');
    await assert.rejects(anns.next(100), /no event/, 'the typist does not hear themselves');
    bens.stop();
    anns.stop();
  });
});

describe('resume', () => {
  test('after a reconnect: exactly what was missed, in order, with current state, then live without duplicate', async () => {
    const channel = await api.channel(ann, { name: 'resume-room', memberUsernames: [ben.username] });
    const first = await events(ben);
    await api.send(ann, channel.id, 'seen before the drop');
    const [seen] = await take(first, 1);
    first.stop(); // the phone loses its connection

    const kept = await api.send(ann, channel.id, 'missed 1');
    const gone = await api.send(ann, channel.id, 'missed then deleted');
    await ok(gql(`mutation ($id: ID!) { updateMessage(id: $id, input: { content: "missed 1, edited" }) { id } }`, { id: kept.id }, ann));
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: gone.id }, ann));
    await ok(gql(ADD, { c: channel.id, u: [cat.username] }, ann));

    const resumed = await events(ben, { after: seen.cursor });
    const replayed = await take(resumed, 4);
    assert.deepEqual(replayed.map(summary), [
      // Replay shows the current state, and leaves out the deleted message's other events.
      'MessageCreatedEvent:missed 1, edited',
      'MessageUpdatedEvent:missed 1, edited',
      `MessageDeletedEvent:${gone.id}`,
      `MemberJoinedEvent:${cat.username}`,
    ]);
    await api.send(cat, channel.id, 'live after the replay');
    assert.equal(summary((await resumed.next()).events), 'MessageCreatedEvent:live after the replay');
    await assert.rejects(resumed.next(300), /no event/, 'no duplicate');

    // Resuming from the last cursor of the replay gives only what came after it.
    const again = await events(ben, { after: replayed[3].cursor });
    assert.equal(summary((await again.next()).events), 'MessageCreatedEvent:live after the replay');
    await assert.rejects(again.next(300), /no event/);
    resumed.stop();
    again.stop();
  });

  test('an unusable cursor answers RESYNC_REQUIRED: damaged, foreign, another form of the stream, too old', async () => {
    const channel = await api.channel(ann, { name: 'cursor-room', memberUsernames: [ben.username] });
    const anns = await events(ann, { c: channel.id });
    await api.send(ben, channel.id, 'cursor source');
    const { cursor } = (await anns.next()).events;
    anns.stop();
    const refused = async (who: Account, variables: Record<string, unknown>) => {
      const stream = await events(who, variables);
      const errors = (await Promise.race([stream.failed, new Promise((resolve) => setTimeout(() => resolve('no error'), 2000))])) as any;
      stream.stop();
      return Array.isArray(errors) ? errors.map((e: any) => e.extensions?.code) : errors;
    };
    assert.deepEqual(await refused(ann, { after: 'not-a-cursor', c: channel.id }), ['RESYNC_REQUIRED']);
    assert.deepEqual(await refused(ann, { after: `${cursor.slice(0, -2)}xx`, c: channel.id }), ['RESYNC_REQUIRED']);
    assert.deepEqual(await refused(ben, { after: cursor, c: channel.id }), ['RESYNC_REQUIRED'], "another user's cursor");
    assert.deepEqual(await refused(ann, { after: cursor }), ['RESYNC_REQUIRED'], 'a one-conversation cursor on the all-conversations stream');
    await new Promise((resolve) => setTimeout(resolve, 3200)); // EVENT_RETENTION is 3 s here
    assert.deepEqual(await refused(ann, { after: cursor, c: channel.id }), ['RESYNC_REQUIRED'], 'older than the history kept');
    // And the history itself is pruned in the background.
    const stored = () => server.app.services.db.conversationEvent.count({ where: { conversationId: channel.id } });
    const deadline = Date.now() + 3000;
    while ((await stored()) > 0) {
      assert.ok(Date.now() < deadline, 'events older than EVENT_RETENTION are deleted');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});

describe('membership changes the stream at once', () => {
  test('added: the stream widens; removed: the MemberLeftEvent, then nothing more', async () => {
    const channel = await api.channel(ann, { name: 'widening', visibility: 'PRIVATE' });
    const cats = await events(cat);
    await ok(gql(ADD, { c: channel.id, u: [cat.username] }, ann));
    await api.send(ann, channel.id, 'now you see it');
    assert.deepEqual((await take(cats, 2)).map(summary), [`MemberJoinedEvent:${cat.username}`, 'MessageCreatedEvent:now you see it']);
    await ok(gql(REMOVE, { c: channel.id, u: cat.username }, ann));
    assert.equal(summary((await cats.next()).events), `MemberLeftEvent:${cat.username}`);
    await api.send(ann, channel.id, 'now you do not');
    await assert.rejects(cats.next(500), /no event/);
    await ok(gql(ADD, { c: channel.id, u: [cat.username] }, ann));
    assert.equal(summary((await cats.next()).events), `MemberJoinedEvent:${cat.username}`, 'added back: widens again');
    cats.stop();
  });

  test("a removed member's one-conversation stream of a PRIVATE channel ends", async () => {
    const channel = await api.channel(ann, { name: 'ending', visibility: 'PRIVATE', memberUsernames: [cat.username] });
    const completed = new Promise<string>((resolve) => {
      server.ws(cat.accessToken).subscribe({ query: EVENTS, variables: { c: channel.id } }, {
        next: () => {},
        error: () => resolve('error'),
        complete: () => resolve('complete'),
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await ok(gql(REMOVE, { c: channel.id, u: cat.username }, ann));
    assert.equal(await completed, 'complete');
  });
});
