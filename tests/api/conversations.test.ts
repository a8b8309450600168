// Conversations end to end over HTTP: channels, direct conversations,
// membership, idempotent sends, read state, and the visibility rules of
// conversations.graphql on every query and mutation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';
import {
  ADD, CONVERSATION, JOIN, LEAVE, MARK_READ, MESSAGE, OPEN_DIRECT, REMOVE, SEND, TYPING, UPDATE_CHANNEL, conversationApi, ok,
} from '../support/conversations.js';

let server: TestServer;
let api: ReturnType<typeof conversationApi>;
let ann: Account, ben: Account, cat: Account, dan: Account;

before(async () => {
  server = await startTestServer();
  api = conversationApi(server.gql);
  [ann, ben, cat, dan] = (await Promise.all(['ann', 'ben', 'cat', 'dan'].map((name) => registerUser(server, `${name}_${process.pid}`)))) as [Account, Account, Account, Account];
});
after(() => server.stop());

const gql = (query: string, variables: Record<string, unknown>, who: Account) => server.gql(query, variables, who.accessToken);

describe('channels', () => {
  test('the creator owns a new channel; the members named join it', async () => {
    const channel = await api.channel(ann, { name: 'General-1', topic: 'Everything', memberUsernames: [ben.username] });
    assert.equal(channel.kind, 'CHANNEL');
    assert.equal(channel.visibility, 'PUBLIC');
    assert.equal(channel.memberCount, 2);
    assert.deepEqual(channel.viewerMembership, { role: 'OWNER', lastReadMessageId: null });
    const asBen = (await ok(gql(CONVERSATION, { id: channel.id }, ben))).conversation;
    assert.equal(asBen.viewerMembership.role, 'MEMBER');
  });

  test('PUBLIC names are unique case-insensitively (NAME_TAKEN); PRIVATE names are never checked', async () => {
    await api.channel(ann, { name: 'Taken' });
    assert.deepEqual(codes(await gql(`mutation { createChannel(input: { name: "tAKEN" }) { id } }`, {}, ben)), ['NAME_TAKEN']);
    // A private channel may use the name, and its name never blocks a public one.
    await api.channel(ben, { name: 'taken', visibility: 'PRIVATE' });
    await api.channel(ben, { name: 'secret-plans', visibility: 'PRIVATE' });
    const publicOne = await api.channel(cat, { name: 'Secret-Plans' });
    assert.equal(publicOne.name, 'Secret-Plans');
  });

  test('a bad name or topic is BAD_USER_INPUT', async () => {
    for (const input of [{ name: '' }, { name: 'has space' }, { name: 'x'.repeat(65) }, { name: 'ok', topic: 't'.repeat(251) }]) {
      assert.deepEqual(codes(await gql(`mutation ($input: CreateChannelInput!) { createChannel(input: $input) { id } }`, { input }, ann)), ['BAD_USER_INPUT']);
    }
  });

  test('a PUBLIC channel is readable by everyone; writing needs membership (FORBIDDEN), joining gives it', async () => {
    const channel = await api.channel(ann, { name: 'open-house' });
    await api.send(ann, channel.id, 'welcome');
    const asCat = (await ok(gql(CONVERSATION, { id: channel.id }, cat))).conversation;
    assert.equal(asCat.viewerMembership, null);
    assert.deepEqual(asCat.messages.edges.map((e: any) => e.node.content), ['welcome']);
    assert.deepEqual(codes(await gql(SEND, { input: { content: 'hi', conversationId: channel.id } }, cat)), ['FORBIDDEN']);
    assert.deepEqual(codes(await gql(TYPING, { c: channel.id }, cat)), ['FORBIDDEN']);
    const joined = (await ok(gql(JOIN, { id: channel.id }, cat))).joinChannel;
    assert.equal(joined.memberCount, 2);
    const again = (await ok(gql(JOIN, { id: channel.id }, cat))).joinChannel;
    assert.equal(again.memberCount, 2, 'joining twice is a no-op');
    await api.send(cat, channel.id, 'hello from cat');
    assert.equal((await ok(gql(LEAVE, { id: channel.id }, cat))).leaveConversation, true);
    assert.deepEqual(codes(await gql(SEND, { input: { content: 'again', conversationId: channel.id } }, cat)), ['FORBIDDEN']);
  });

  test("a conversation's first page and its fields are never stale on the instance that wrote", async () => {
    const channel = await api.channel(ann, { name: 'fresh-reads', memberUsernames: [ben.username] });
    const read = async () => (await ok(gql(CONVERSATION, { id: channel.id }, ben))).conversation;
    assert.equal((await read()).messages.edges.length, 0); // now held in memory
    const sent = await api.send(ann, channel.id, 'just now');
    assert.deepEqual((await read()).messages.edges.map((e: any) => e.node.id), [sent.id]);
    await ok(gql(UPDATE_CHANNEL, { id: channel.id, input: { topic: 'changed' } }, ann));
    assert.equal((await read()).topic, 'changed');
    await ok(gql(ADD, { c: channel.id, u: [cat.username] }, ann));
    assert.equal((await read()).memberCount, 3);
  });

  test('only the OWNER renames, adds or removes (FORBIDDEN); the owner cannot remove themselves', async () => {
    const channel = await api.channel(ann, { name: 'owned', memberUsernames: [ben.username] });
    assert.deepEqual(codes(await gql(UPDATE_CHANNEL, { id: channel.id, input: { name: 'mine' } }, ben)), ['FORBIDDEN']);
    assert.deepEqual(codes(await gql(ADD, { c: channel.id, u: [cat.username] }, ben)), ['FORBIDDEN']);
    assert.deepEqual(codes(await gql(REMOVE, { c: channel.id, u: ann.username }, ben)), ['FORBIDDEN']);
    assert.deepEqual(codes(await gql(REMOVE, { c: channel.id, u: ann.username }, ann)), ['BAD_USER_INPUT']);
    const renamed = (await ok(gql(UPDATE_CHANNEL, { id: channel.id, input: { name: 'owned-renamed', topic: 'new topic' } }, ann))).updateChannel;
    assert.deepEqual([renamed.name, renamed.topic], ['owned-renamed', 'new topic']);
    const added = (await ok(gql(ADD, { c: channel.id, u: [cat.username, ben.username] }, ann))).addMembers;
    assert.equal(added.memberCount, 3, 'an existing member is not added twice');
    assert.deepEqual(codes(await gql(ADD, { c: channel.id, u: ['nobody_at_all'] }, ann)), ['NOT_FOUND']);
  });

  test('publicChannels filters by a case-insensitive name prefix and pages by name; PRIVATE channels never appear', async () => {
    const prefix = `zq_${process.pid}`;
    for (const name of ['a', 'b', 'c']) await api.channel(ann, { name: `${prefix}_${name}` });
    await api.channel(ann, { name: `${prefix}_hidden`, visibility: 'PRIVATE' });
    const query = `query ($q: String, $after: String) { publicChannels(query: $q, first: 2, after: $after) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await ok(gql(query, { q: prefix.toUpperCase() }, ben))).publicChannels;
    assert.equal(first.totalCount, 3);
    assert.deepEqual(first.edges.map((e: any) => e.node.name), [`${prefix}_a`, `${prefix}_b`]);
    const second = (await ok(gql(query, { q: prefix, after: first.pageInfo.endCursor }, ben))).publicChannels;
    assert.deepEqual(second.edges.map((e: any) => e.node.name), [`${prefix}_c`]);
    assert.equal(second.pageInfo.hasNextPage, false);
    // '_' is a name character, not a wildcard.
    const none = (await ok(gql(query, { q: `zq${'_'}${process.pid}x` }, ben))).publicChannels;
    assert.equal(none.totalCount, 0);
    assert.equal((await ok(gql(query, { q: 'no spaces allowed' }, ben))).publicChannels.totalCount, 0);
  });
});

describe('private conversations are invisible to non-members', () => {
  let secret: { id: string };
  let messageId: string;

  before(async () => {
    secret = await api.channel(ann, { name: 'private-room', visibility: 'PRIVATE', memberUsernames: [ben.username] });
    messageId = (await api.send(ben, secret.id, 'for members only')).id;
  });

  test('conversation(id) and message(id) are null, exactly as for an unknown id', async () => {
    assert.equal((await ok(gql(CONVERSATION, { id: secret.id }, cat))).conversation, null);
    assert.equal((await ok(gql(MESSAGE, { id: messageId }, cat))).message, null);
    assert.equal((await ok(gql(CONVERSATION, { id: '00000000-0000-4000-8000-000000000000' }, cat))).conversation, null);
    assert.equal((await ok(gql(MESSAGE, { id: messageId }, ben))).message.content, 'for members only');
  });

  test('every operation on it answers NOT_FOUND', async () => {
    const attempts = [
      gql(SEND, { input: { content: 'let me in', conversationId: secret.id } }, cat),
      gql(JOIN, { id: secret.id }, cat),
      gql(LEAVE, { id: secret.id }, cat),
      gql(ADD, { c: secret.id, u: [cat.username] }, cat),
      gql(REMOVE, { c: secret.id, u: ben.username }, cat),
      gql(UPDATE_CHANNEL, { id: secret.id, input: { topic: 'mine now' } }, cat),
      gql(MARK_READ, { c: secret.id, m: messageId }, cat),
      gql(TYPING, { c: secret.id }, cat),
      gql(`mutation ($id: ID!) { updateMessage(id: $id, input: { content: "x" }) { id } }`, { id: messageId }, cat),
      gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: messageId }, cat),
    ];
    for (const result of await Promise.all(attempts)) assert.deepEqual(codes(result), ['NOT_FOUND']);
  });

  test('its messages never reach the public timeline: messages, messagesByUser, User.messages, messageCreated/Updated/Deleted', async () => {
    const catWs = server.ws(cat.accessToken);
    const publicFeed = await subscribe(catWs, `subscription { messageCreated { id content } }`);
    const publicUpdates = await subscribe(catWs, `subscription { messageUpdated { id } }`);
    const publicDeletes = await subscribe(catWs, `subscription { messageDeleted }`);
    const sent = await api.send(ben, secret.id, 'still for members only');
    const doomed = await api.send(ben, secret.id, 'edited, then deleted');
    await ok(gql(`mutation ($id: ID!) { updateMessage(id: $id, input: { content: "edited" }) { id } }`, { id: doomed.id }, ben));
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: doomed.id }, ben));
    const publicOne = await api.send(ben, null, 'on the public timeline');
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: (await api.send(ben, null, 'public, deleted')).id }, ben));
    assert.equal((await publicFeed.next()).messageCreated.id, publicOne.id, 'the public feed gets the public message only');
    assert.notEqual((await publicDeletes.next()).messageDeleted, doomed.id, 'only the public deletion is announced');
    await assert.rejects(publicUpdates.next(300), /no event/);
    for (const feed of [publicFeed, publicUpdates, publicDeletes]) feed.stop();
    const lists = (await ok(gql(`query ($u: String!) {
      messages(first: 100) { edges { node { id } } }
      messagesByUser(username: $u, first: 100) { totalCount edges { node { id } } }
      user(username: $u) { messages(first: 100) { totalCount edges { node { id } } } } }`, { u: ben.username }, cat)));
    const ids = [lists.messages, lists.messagesByUser, lists.user.messages].flatMap((c: any) => c.edges.map((e: any) => e.node.id));
    assert.ok(ids.includes(publicOne.id));
    assert.ok(!ids.includes(sent.id) && !ids.includes(messageId));
    assert.equal(lists.messagesByUser.totalCount, 1);
    assert.equal(lists.user.messages.totalCount, 1);
  });

  test('a removed member loses access at once', async () => {
    const room = await api.channel(ann, { name: 'shrinking', visibility: 'PRIVATE', memberUsernames: [dan.username] });
    const own = await api.send(dan, room.id, 'mine');
    assert.notEqual((await ok(gql(CONVERSATION, { id: room.id }, dan))).conversation, null); // now held in memory
    await ok(gql(REMOVE, { c: room.id, u: dan.username }, ann));
    assert.equal((await ok(gql(CONVERSATION, { id: room.id }, dan))).conversation, null);
    assert.equal((await ok(gql(MESSAGE, { id: own.id }, dan))).message, null);
    assert.deepEqual(codes(await gql(SEND, { input: { content: 'still here?', conversationId: room.id } }, dan)), ['NOT_FOUND']);
    // Their own message too: only while the author may still read it.
    assert.deepEqual(codes(await gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: own.id }, dan)), ['NOT_FOUND']);
  });
});

describe('direct conversations', () => {
  test('one per pair, whoever opens it, also when both sides open it at the same moment', async () => {
    const [eve, fay] = await Promise.all([registerUser(server), registerUser(server)]);
    const opened = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? api.direct(eve, fay.username) : api.direct(fay, eve.username))),
    );
    assert.equal(new Set(opened.map((c) => c.id)).size, 1);
    assert.equal(opened[0].kind, 'DIRECT');
    assert.equal(opened[0].name, null);
    assert.equal(opened[0].visibility, null);
    assert.equal(opened[0].memberCount, 2);
    const list = (await ok(gql(`{ conversations { totalCount edges { node { id } } } }`, {}, eve))).conversations;
    assert.deepEqual(list.edges.map((e: any) => e.node.id), [opened[0].id]);
    // A third user learns nothing.
    assert.equal((await ok(gql(CONVERSATION, { id: opened[0].id }, cat))).conversation, null);
    assert.deepEqual(codes(await gql(LEAVE, { id: opened[0].id }, eve)), ['BAD_USER_INPUT']);
  });

  test('with oneself: BAD_USER_INPUT; with an unknown user: NOT_FOUND', async () => {
    assert.deepEqual(codes(await gql(OPEN_DIRECT, { u: ann.username }, ann)), ['BAD_USER_INPUT']);
    assert.deepEqual(codes(await gql(OPEN_DIRECT, { u: 'nobody_here' }, ann)), ['NOT_FOUND']);
  });
});

describe('idempotent sends', () => {
  test('a retried send returns the original message and publishes nothing new', async () => {
    const channel = await api.channel(ann, { name: 'retries', memberUsernames: [ben.username] });
    const feed = await subscribe(server.ws(ben.accessToken), `subscription ($c: ID) { events(conversationId: $c) { __typename ... on MessageCreatedEvent { message { id } } } }`, { c: channel.id });
    const first = await api.send(ann, channel.id, 'once', 'client-key-1');
    const retry = await api.send(ann, channel.id, 'once', 'client-key-1');
    assert.equal(retry.id, first.id);
    assert.equal(first.clientMessageId, 'client-key-1');
    assert.equal((await feed.next()).events.message.id, first.id);
    await assert.rejects(feed.next(500), /no event/);
    feed.stop();
  });

  test('concurrent retries with one clientMessageId yield one message (public timeline and conversation)', async () => {
    const channel = await api.channel(ann, { name: 'races' });
    for (const conversationId of [null, channel.id]) {
      const key = `race-${conversationId ?? 'public'}`;
      const sends = await Promise.all(Array.from({ length: 8 }, () => api.send(ann, conversationId, 'raced', key)));
      assert.equal(new Set(sends.map((m) => m.id)).size, 1);
    }
    const page = (await ok(gql(CONVERSATION, { id: channel.id }, ann))).conversation;
    assert.equal(page.messages.edges.length, 1);
  });

  test('the key is unique per author: another author may use the same one; others never see it', async () => {
    const a = await api.send(ann, null, 'by ann', 'shared-key');
    const b = await api.send(ben, null, 'by ben', 'shared-key');
    assert.notEqual(a.id, b.id);
    const seen = (await ok(gql(`query ($id: ID!) { message(id: $id) { clientMessageId } }`, { id: a.id }, ben))).message;
    assert.equal(seen.clientMessageId, null);
  });
});

describe('read state', () => {
  test("unreadCount counts others' messages after the read position; markRead never moves backwards", async () => {
    const channel = await api.channel(ann, { name: 'reading', memberUsernames: [ben.username] });
    const m1 = await api.send(ann, channel.id, 'one');
    const m2 = await api.send(ann, channel.id, 'two');
    await api.send(ben, channel.id, 'my own');
    const m3 = await api.send(ann, channel.id, 'three');
    const unread = async () => (await ok(gql(CONVERSATION, { id: channel.id }, ben))).conversation.unreadCount;
    assert.equal(await unread(), 3, "ben's own message does not count");
    const moved = (await ok(gql(MARK_READ, { c: channel.id, m: m2.id }, ben))).markRead;
    assert.equal(moved.unreadCount, 1);
    assert.equal(moved.viewerMembership.lastReadMessageId, m2.id);
    const back = (await ok(gql(MARK_READ, { c: channel.id, m: m1.id }, ben))).markRead;
    assert.equal(back.viewerMembership.lastReadMessageId, m2.id, 'never backwards');
    await ok(gql(MARK_READ, { c: channel.id, m: m3.id }, ben));
    assert.equal(await unread(), 0);
    // New messages count; a deleted unread one stops counting; ben's own never count.
    const m4 = await api.send(ann, channel.id, 'four');
    await api.send(ann, channel.id, 'five');
    await api.send(ben, channel.id, 'mine again');
    assert.equal(await unread(), 2);
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: m4.id }, ann));
    assert.equal(await unread(), 1);
    // Deleting a message ben has read changes nothing.
    await ok(gql(`mutation ($id: ID!) { deleteMessage(id: $id) }`, { id: m1.id }, ann));
    assert.equal(await unread(), 1);
    const elsewhere = await api.send(ann, null, 'public');
    assert.deepEqual(codes(await gql(MARK_READ, { c: channel.id, m: elsewhere.id }, ben)), ['BAD_USER_INPUT']);
  });

  test('conversations lists the viewer\'s conversations by latest activity, with lastMessage and unread counts', async () => {
    const gus = await registerUser(server);
    const older = await api.channel(gus, { name: `older_${process.pid}` });
    const newer = await api.channel(gus, { name: `newer_${process.pid}`, memberUsernames: [ann.username] });
    await api.send(ann, newer.id, 'latest in newer');
    const last = await api.send(gus, older.id, 'latest in older');
    const query = `query ($after: String) { conversations(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { id memberCount lastActivityAt unreadCount lastMessage { id content } members { totalCount edges { node { role user { username } } } } } } } }`;
    const page1 = (await ok(gql(query, {}, gus))).conversations;
    assert.equal(page1.totalCount, 2);
    assert.equal(page1.edges[0].node.id, older.id);
    assert.deepEqual(page1.edges[0].node.lastMessage, { id: last.id, content: 'latest in older' });
    const page2 = (await ok(gql(query, { after: page1.pageInfo.endCursor }, gus))).conversations;
    assert.equal(page2.edges[0].node.id, newer.id);
    assert.equal(page2.edges[0].node.unreadCount, 1);
    assert.equal(page2.edges[0].node.memberCount, 2);
    // Members in join order; the owner and the members named at creation joined in the same instant.
    assert.deepEqual(page2.edges[0].node.members.edges.map((e: any) => [e.node.role, e.node.user.username]).sort(), [['MEMBER', ann.username], ['OWNER', gus.username]]);
    assert.equal(page2.pageInfo.hasNextPage, false);
  });
});
