// The data of the conversation scenarios (C1-C4, conversations.ts).
//
// Users, channels and memberships go through the API, as clients make them.
// The bulk of the messages (C1's channel, as many as the public timeline;
// C2's 50 conversations, one of them with 100,000) is inserted directly into
// the database while the server is stopped: through the API a conversation
// send is a transaction on the conversation's lock (about 8 ms on SQLite
// here), so 100,000 would take a quarter of an hour. The rows are what
// createMessage writes (the same columns, the same timestamp text on SQLite)
// without their ConversationEvent rows: only the event stream reads those,
// and C3 and C4, which measure it, send their messages through the API.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parsePostgresUrl } from '../src/db/postgresql.js';
import { REGISTER } from '../tests/support/server.js';
import { gql, inParallel, SEED_PASSWORD, seedUsername } from './seed.js';
import type { Backend, ConversationSettings, Settings } from './settings.js';

/** A message into a conversation; selects only the id (C3 and C4 time it). */
export const SEND =
  'mutation Send($content: String!, $conversationId: ID!) { createMessage(input: { content: $content, conversationId: $conversationId }) { id } }';
const CREATE_CHANNEL = 'mutation CreateChannel($input: CreateChannelInput!) { createChannel(input: $input) { id } }';
/** C1's channel also answers with its members: the seeded authors' ids, for the rows inserted directly. */
const CREATE_CHANNEL_WITH_MEMBERS =
  'mutation CreateChannel($input: CreateChannelInput!) { createChannel(input: $input) { id members(first: 100) { edges { node { user { id username } } } } } }';
const MARK_READ = 'mutation MarkRead($conversationId: ID!, $messageId: ID!) { markRead(conversationId: $conversationId, messageId: $messageId) { id } }';

export interface Account {
  id: string;
  username: string;
  token: string;
}

/** Messages to insert directly into one conversation: `count` of them, authors taking turns. */
interface BulkPlan {
  conversationId: string;
  count: number;
  authorIds: string[];
  content: (i: number) => string;
}

/** Who and which channels each scenario uses; `inserted` (filled by insertMessages): message ids per conversation, oldest first. */
export interface ConversationData {
  /** C1: a PUBLIC channel its reader is a member of, with the public timeline's number of messages by the same authors. */
  c1: { channelId: string; reader: Account };
  /** C2: the viewer's conversations; bigId is the one with the many messages. */
  c2: { viewer: Account; channelIds: string[]; bigId: string };
  /** C3: the channel and its members; members[0] created it and writes. */
  c3: { channelId: string; members: Account[] };
  /** C4: a channel of two: one reads (and misses), one writes. */
  c4: { channelId: string; reader: Account; writer: Account };
  plans: BulkPlan[];
  inserted: Map<string, string[]>;
}

async function register(url: string, username: string): Promise<Account> {
  const data = await gql<{ register: { accessToken: string; user: { id: string } } }>(url, REGISTER, {
    input: { username, password: SEED_PASSWORD },
  });
  return { id: data.register.user.id, username, token: data.register.accessToken };
}

const createChannel = async (url: string, owner: Account, name: string, memberUsernames: string[]) =>
  (await gql<{ createChannel: { id: string } }>(url, CREATE_CHANNEL, { input: { name, memberUsernames } }, owner.token)).createChannel.id;

/**
 * Through the API: the accounts, the channels and their members. Returns
 * what insertMessages then writes. `settings.users` seeded authors
 * (seed.ts) must exist already: C1's channel mirrors the public timeline.
 */
export async function seedConversations(url: string, settings: Settings, sizes: ConversationSettings): Promise<ConversationData> {
  const fanOutNames = Array.from({ length: sizes.fanOutMembers }, (_, i) => `fan_member_${String(i).padStart(3, '0')}`);
  const names = ['conv_reader', 'conv_viewer', 'conv_poster', 'replay_reader', 'replay_writer', ...fanOutNames];
  const accounts = new Map<string, Account>();
  await inParallel(names, 10, async (name) => void accounts.set(name, await register(url, name)));
  const account = (name: string) => accounts.get(name)!;

  // C1: the reader owns it; the timeline's authors are its members.
  const authors = Array.from({ length: settings.users }, (_, i) => seedUsername(i));
  const c1 = await gql<{ createChannel: { id: string; members: { edges: Array<{ node: { user: { id: string; username: string } } }> } } }>(
    url,
    CREATE_CHANNEL_WITH_MEMBERS,
    { input: { name: 'bench-c1', memberUsernames: authors } },
    account('conv_reader').token,
  );
  const idOf = new Map(c1.createChannel.members.edges.map(({ node }) => [node.user.username, node.user.id]));

  // C2: the poster's channels, the viewer added to each.
  const poster = account('conv_poster');
  const viewer = account('conv_viewer');
  const c2Ids: string[] = [];
  for (let i = 0; i < sizes.viewerConversations; i++) {
    c2Ids.push(await createChannel(url, poster, `bench-c2-${String(i).padStart(2, '0')}`, [viewer.username]));
  }

  const members = fanOutNames.map(account);
  const c3Id = await createChannel(url, members[0]!, 'bench-c3', fanOutNames.slice(1));
  const c4Id = await createChannel(url, account('replay_writer'), 'bench-c4', ['replay_reader']);

  // Contents as long as the timeline's seeded ones, so C1's and S1's responses are the same size.
  const plans: BulkPlan[] = [
    {
      conversationId: c1.createChannel.id,
      count: settings.messages,
      authorIds: authors.map((name) => idOf.get(name)!),
      content: (i) => `Conv message ${i}: lorem ipsum dolor sit amet.`,
    },
    ...c2Ids.map((conversationId, i) => ({
      conversationId,
      count: i === 0 ? sizes.bigMessages : sizes.smallMessages,
      authorIds: [poster.id],
      content: (n: number) => `Channel ${i} message ${n}: lorem ipsum dolor sit amet.`,
    })),
  ];
  return {
    c1: { channelId: c1.createChannel.id, reader: account('conv_reader') },
    c2: { viewer, channelIds: c2Ids, bigId: c2Ids[0]! },
    c3: { channelId: c3Id, members },
    c4: { channelId: c4Id, reader: account('replay_reader'), writer: account('replay_writer') },
    plans,
    inserted: new Map(),
  };
}

interface Row {
  id: string;
  content: string;
  authorId: string;
  conversationId: string;
  createdAt: Date;
}

/**
 * A plan's rows, oldest first, one millisecond apart, the newest a second
 * before now (so every later API write is newer, as it would be).
 */
function rowsOf(plan: BulkPlan): Row[] {
  const newest = Date.now() - 1000;
  return Array.from({ length: plan.count }, (_, i) => ({
    id: randomUUID(),
    content: plan.content(i),
    authorId: plan.authorIds[i % plan.authorIds.length]!,
    conversationId: plan.conversationId,
    createdAt: new Date(newest - (plan.count - 1 - i)),
  }));
}

/** Prisma's SQLite adapter stores DateTime as this text; the unread count compares it as text, so it must match exactly. */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

function insertSqlite(dbFile: string, plans: Array<{ plan: BulkPlan; rows: Row[] }>) {
  const db = new Database(dbFile);
  try {
    const insert = db.prepare(
      'INSERT INTO "Message" ("id", "content", "authorId", "conversationId", "clientMessageId", "createdAt", "updatedAt", "edited") VALUES (?, ?, ?, ?, NULL, ?, ?, 0)',
    );
    const touch = db.prepare('UPDATE "Conversation" SET "lastActivityAt" = ? WHERE "id" = ?');
    db.transaction(() => {
      for (const { plan, rows } of plans) {
        for (const row of rows) {
          const at = sqliteTime(row.createdAt);
          insert.run(row.id, row.content, row.authorId, row.conversationId, at, at);
        }
        touch.run(sqliteTime(rows.at(-1)!.createdAt), plan.conversationId);
      }
    })();
  } finally {
    db.close();
  }
}

async function insertPostgres(settings: Settings, plans: Array<{ plan: BulkPlan; rows: Row[] }>) {
  const target = parsePostgresUrl(settings.postgres.url);
  const client = new pg.Client({ connectionString: target.connectionString, options: `-c search_path=${target.schema}` });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const { plan, rows } of plans) {
      // 10,000 rows per statement, as arrays: one round trip each instead of one per row.
      for (let start = 0; start < rows.length; start += 10_000) {
        const chunk = rows.slice(start, start + 10_000);
        await client.query(
          `INSERT INTO "Message" ("id", "content", "authorId", "conversationId", "createdAt", "updatedAt", "edited")
           SELECT id, content, author, conversation, at, at, false
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS r(id, content, author, conversation, at)`,
          [chunk.map((r) => r.id), chunk.map((r) => r.content), chunk.map((r) => r.authorId), chunk.map((r) => r.conversationId), chunk.map((r) => r.createdAt.toISOString())],
        );
      }
      await client.query('UPDATE "Conversation" SET "lastActivityAt" = $1 WHERE "id" = $2', [rows.at(-1)!.createdAt.toISOString(), plan.conversationId]);
    }
    await client.query('COMMIT');
    // Autovacuum would vacuum and analyze the grown table within a minute or
    // so (100,000 inserts pass its insert threshold): now, so C2 measures the
    // steady state (index-only scans need the visibility map a vacuum sets)
    // and the planner's statistics do not change in the middle of a scenario.
    await client.query('VACUUM (ANALYZE) "Message"');
  } finally {
    await client.end();
  }
}

/** Writes the plans' rows (the server must be stopped on SQLite); fills data.inserted. */
export async function insertMessages(backend: Backend, settings: Settings, dbFile: string, data: ConversationData): Promise<number> {
  const plans = data.plans.map((plan) => ({ plan, rows: rowsOf(plan) }));
  if (backend === 'sqlite') insertSqlite(dbFile, plans);
  else await insertPostgres(settings, plans);
  for (const { plan, rows } of plans) data.inserted.set(plan.conversationId, rows.map((row) => row.id));
  return plans.reduce((sum, { rows }) => sum + rows.length, 0);
}

export const markRead = (url: string, reader: Account, conversationId: string, messageId: string) =>
  gql(url, MARK_READ, { conversationId, messageId }, reader.token);
