// Conversations as data and rules: channels, direct conversations,
// membership and read positions. Every change that others may see is
// written with its event in one transaction (history.ts) and published after
// the commit. Who may do what is decided in access.ts.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { Prisma } from '../generated/prisma/client.js';
import { badUserInput, nameTaken, notFound } from '../errors.js';
import type { EventBus } from '../pubsub/events.js';
import { findUserByUsername, type UserLookupDeps } from '../users/service.js';
import type { UserModel } from '../users/model.js';
import { decodeCursor, encodeCursor, toConnection, type PageArgs } from '../pagination.js';
import { readableConversation, requireMember, requireOwner } from './access.js';
import { publishCommitted, type ConversationEvents } from './events.js';
import type { ConversationCache } from './cache.js';
import { appendEvents, recordEvents, reservePositions, TRANSACTION_OPTIONS, type NewEvent, type StoredEvent, type Tx } from './history.js';
import { recountUnread } from './unread.js';
import type { ChannelVisibility, ConversationConnectionModel, ConversationModel, MembershipConnectionModel, MembershipModel } from './model.js';
import { channelPrefixOrNull, parseChannelName, parseTopic, parseUsernames } from './validation.js';

export interface ConversationDeps extends UserLookupDeps {
  db: Db;
  events: EventBus<ConversationEvents>;
  conversationCache: ConversationCache;
}

/** The users named, each once, without the viewer; NOT_FOUND for a name no account has. */
async function resolveUsers(deps: ConversationDeps, usernames: readonly string[], viewerId: string): Promise<UserModel[]> {
  const users = new Map<string, UserModel>();
  for (const username of parseUsernames(usernames)) {
    const user = await findUserByUsername(deps, username);
    if (!user) throw notFound(`User ${JSON.stringify(username.slice(0, 64))}`);
    if (user.id !== viewerId) users.set(user.id, user);
  }
  return [...users.values()];
}

const joinedEvents = (userIds: string[]): NewEvent[] => userIds.map((userId) => ({ type: 'MEMBER_JOINED', userId }));

async function addMemberships(tx: Tx, conversationId: string, members: Array<{ userId: string; role: string }>, joinedAt: Date) {
  await tx.membership.createMany({ data: members.map((m) => ({ conversationId, userId: m.userId, role: m.role, joinedAt })) });
}

export async function createChannel(
  deps: ConversationDeps,
  viewerId: string,
  input: { name: string; topic?: string | null; visibility?: ChannelVisibility | null; memberUsernames?: readonly string[] | null },
): Promise<ConversationModel> {
  const { name, key } = parseChannelName(input.name);
  const topic = parseTopic(input.topic);
  const visibility = input.visibility ?? 'PUBLIC';
  const others = await resolveUsers(deps, input.memberUsernames ?? [], viewerId);
  const members = [{ userId: viewerId, role: 'OWNER' }, ...others.map((u) => ({ userId: u.id, role: 'MEMBER' }))];
  const now = new Date();
  const id = randomUUID();
  let stored: StoredEvent[];
  try {
    stored = await deps.db.$transaction(async (tx) => {
      await tx.conversation.create({
        data: {
          id,
          kind: 'CHANNEL',
          name,
          // Only PUBLIC names are unique: a PRIVATE channel never takes (or reveals) a name.
          nameKey: visibility === 'PUBLIC' ? key : null,
          topic,
          visibility,
          createdAt: now,
          lastActivityAt: now,
        },
      });
      await addMemberships(tx, id, members, now);
      return appendEvents(tx, id, joinedEvents(members.map((m) => m.userId)), { activity: true, memberDelta: members.length });
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  await publishCommitted(deps, stored, (e) => ({ role: e.userId === viewerId ? 'OWNER' : 'MEMBER' }));
  return (await deps.db.conversation.findUnique({ where: { id } }))!;
}

export async function updateChannel(
  deps: ConversationDeps,
  viewerId: string,
  conversationId: string,
  input: { name?: string | null; topic?: string | null },
): Promise<ConversationModel> {
  const { conversation } = await requireOwner(deps.db, viewerId, conversationId);
  if (conversation.kind !== 'CHANNEL') throw badUserInput('Only channels have a name and a topic', 'id');
  const data: { name?: string; nameKey?: string | null; topic?: string | null } = {};
  if (input.name != null) {
    const { name, key } = parseChannelName(input.name);
    if (name !== conversation.name) {
      data.name = name;
      if (conversation.visibility === 'PUBLIC') data.nameKey = key;
    }
  }
  if (input.topic !== undefined) {
    const topic = parseTopic(input.topic);
    if (topic !== conversation.topic) data.topic = topic;
  }
  if (Object.keys(data).length === 0) return conversation; // nothing changes: no event
  let stored: StoredEvent[];
  try {
    stored = await deps.db.$transaction(async (tx) => {
      const events = await appendEvents(tx, conversationId, [{ type: 'CONVERSATION_UPDATED', userId: viewerId }]);
      await tx.conversation.update({ where: { id: conversationId }, data });
      return events;
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  await publishCommitted(deps, stored);
  return (await deps.db.conversation.findUnique({ where: { id: conversationId } }))!;
}

export async function joinChannel(deps: ConversationDeps, viewerId: string, conversationId: string): Promise<ConversationModel> {
  const access = await readableConversation(deps.db, viewerId, conversationId);
  if (!access) throw notFound('Conversation');
  if (access.membership) return access.conversation; // joining twice is a no-op
  // Readable without membership means a PUBLIC channel.
  const stored = await deps.db.$transaction(async (tx) => {
    const events = await appendEvents(tx, conversationId, joinedEvents([viewerId]), { activity: true, memberDelta: 1 });
    // Under the conversation's lock: a concurrent join by the same user has either committed (seen here) or waits.
    const already = await tx.membership.findUnique({ where: { conversationId_userId: { conversationId, userId: viewerId } } });
    if (already) throw new AlreadyDone();
    await addMemberships(tx, conversationId, [{ userId: viewerId, role: 'MEMBER' }], events[0]!.at);
    return events;
  }, TRANSACTION_OPTIONS).catch(alreadyDone);
  if (stored) await publishCommitted(deps, stored, () => ({ role: 'MEMBER' }));
  return (await deps.db.conversation.findUnique({ where: { id: conversationId } }))!;
}

/** Thrown inside a transaction to roll it back when the change turns out to be made already. */
class AlreadyDone extends Error {}
const alreadyDone = (error: unknown): null => {
  if (error instanceof AlreadyDone) return null;
  throw error;
};

/** Removes a membership (leave or removal); an OWNER who leaves hands the channel to the longest-standing member. */
async function removeMembership(deps: ConversationDeps, conversationId: string, userId: string): Promise<boolean> {
  const stored = await deps.db.$transaction(async (tx) => {
    const events = await appendEvents(tx, conversationId, [{ type: 'MEMBER_LEFT', userId }], { activity: true, memberDelta: -1 });
    const gone = await tx.membership.deleteMany({ where: { conversationId, userId } });
    if (gone.count === 0) throw new AlreadyDone();
    const owners = await tx.membership.count({ where: { conversationId, role: 'OWNER' } });
    if (owners === 0) {
      const heir = await tx.membership.findFirst({ where: { conversationId }, orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }] });
      if (heir) await tx.membership.update({ where: { conversationId_userId: { conversationId, userId: heir.userId } }, data: { role: 'OWNER' } });
    }
    return events;
  }, TRANSACTION_OPTIONS).catch(alreadyDone);
  if (!stored) return false;
  await publishCommitted(deps, stored);
  return true;
}

export async function leaveConversation(deps: ConversationDeps, viewerId: string, conversationId: string): Promise<boolean> {
  const access = await readableConversation(deps.db, viewerId, conversationId);
  if (!access) throw notFound('Conversation');
  if (access.conversation.kind === 'DIRECT') throw badUserInput('Direct conversations cannot be left', 'id');
  if (!access.membership) return false; // not a member of this PUBLIC channel: nothing to leave
  return removeMembership(deps, conversationId, viewerId);
}

export async function addMembers(deps: ConversationDeps, viewerId: string, conversationId: string, usernames: readonly string[]): Promise<ConversationModel> {
  const { conversation } = await requireOwner(deps.db, viewerId, conversationId);
  if (conversation.kind !== 'CHANNEL') throw badUserInput('Members can be added to channels only', 'conversationId');
  const users = await resolveUsers(deps, usernames, viewerId);
  if (users.length > 0) {
    const stored = await deps.db.$transaction(async (tx) => {
      const existing = await tx.membership.findMany({ where: { conversationId, userId: { in: users.map((u) => u.id) } }, select: { userId: true } });
      const present = new Set(existing.map((m) => m.userId));
      const added = users.filter((u) => !present.has(u.id)).map((u) => u.id);
      if (added.length === 0) return [];
      const events = await appendEvents(tx, conversationId, joinedEvents(added), { activity: true, memberDelta: added.length });
      // Re-read under the lock: a concurrent add of the same user may have committed first.
      const raced = await tx.membership.count({ where: { conversationId, userId: { in: added } } });
      if (raced > 0) throw new AlreadyDone();
      await addMemberships(tx, conversationId, added.map((userId) => ({ userId, role: 'MEMBER' })), events[0]!.at);
      return events;
    }, TRANSACTION_OPTIONS).catch(alreadyDone);
    if (stored === null) return addMembers(deps, viewerId, conversationId, usernames); // lost a race: once more, with what is there now
    await publishCommitted(deps, stored, () => ({ role: 'MEMBER' }));
  }
  return (await deps.db.conversation.findUnique({ where: { id: conversationId } }))!;
}

export async function removeMember(deps: ConversationDeps, viewerId: string, conversationId: string, username: string): Promise<ConversationModel> {
  const { conversation } = await requireOwner(deps.db, viewerId, conversationId);
  if (conversation.kind !== 'CHANNEL') throw badUserInput('Members can be removed from channels only', 'conversationId');
  const user = await findUserByUsername(deps, username);
  if (!user) throw notFound('User');
  if (user.id === viewerId) throw badUserInput('The owner cannot remove themselves (leave instead)', 'username');
  if (!(await removeMembership(deps, conversationId, user.id))) throw notFound('Member');
  return (await deps.db.conversation.findUnique({ where: { id: conversationId } }))!;
}

/** The one direct conversation of a pair: the unique directKey decides under concurrent first calls. */
export async function openDirectConversation(deps: ConversationDeps, viewerId: string, username: string): Promise<ConversationModel> {
  const other = await findUserByUsername(deps, username);
  if (!other) throw notFound('User');
  if (other.id === viewerId) throw badUserInput('A direct conversation needs another user', 'username');
  const directKey = [viewerId, other.id].sort().join(':');
  const existing = await deps.db.conversation.findUnique({ where: { directKey } });
  if (existing) return existing;
  const id = randomUUID();
  const now = new Date();
  const members = [viewerId, other.id];
  let stored: StoredEvent[];
  try {
    stored = await deps.db.$transaction(async (tx) => {
      await tx.conversation.create({ data: { id, kind: 'DIRECT', directKey, createdAt: now, lastActivityAt: now } });
      await addMemberships(tx, id, members.map((userId) => ({ userId, role: 'MEMBER' })), now);
      return appendEvents(tx, id, joinedEvents(members), { activity: true, memberDelta: 2 });
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The other side (or a retry) created it a moment ago.
    return (await deps.db.conversation.findUnique({ where: { directKey } }))!;
  }
  await publishCommitted(deps, stored, () => ({ role: 'MEMBER' }));
  return (await deps.db.conversation.findUnique({ where: { id } }))!;
}

/** Moves the viewer's read position forward to messageId (never backwards). */
export async function markRead(deps: ConversationDeps, viewerId: string, conversationId: string, messageId: string): Promise<ConversationModel> {
  const { conversation } = await requireMember(deps.db, viewerId, conversationId);
  const message = await deps.db.message.findUnique({ where: { id: messageId }, select: { id: true, conversationId: true, createdAt: true } });
  if (!message || message.conversationId !== conversationId) throw badUserInput('The message is not in this conversation', 'messageId');
  const stored = await deps.db.$transaction(async (tx) => {
    // The lock first, so the recount below and concurrent sends apply in one order.
    const reservation = await reservePositions(tx, conversationId, 1);
    const moved = await tx.membership.updateMany({
      where: {
        conversationId,
        userId: viewerId,
        // Strictly later in the conversation's (createdAt, id) order, or nothing read yet.
        OR: [
          { lastReadAt: null },
          { lastReadAt: { lt: message.createdAt } },
          { lastReadAt: message.createdAt, lastReadMessageId: { lt: message.id } },
        ],
      },
      data: { lastReadMessageId: message.id, lastReadAt: message.createdAt },
    });
    if (moved.count === 0) throw new AlreadyDone(); // not forward: rolls the reserved position back
    await recountUnread(tx, conversationId, viewerId);
    return recordEvents(tx, reservation, [{ type: 'READ_POSITION', userId: viewerId, messageId: message.id }]);
  }, TRANSACTION_OPTIONS).catch(alreadyDone);
  if (stored) await publishCommitted(deps, stored);
  return conversation;
}

// ---- reading -----------------------------------------------------------------------------

/** conversation(id): from this instance's cache when it has it (cache.ts says how it stays fresh). */
export async function findConversation(
  { db, conversationCache }: { db: Db; conversationCache: ConversationCache },
  viewerId: string,
  id: string,
): Promise<ConversationModel | null> {
  return (await conversationCache.accessOf(id, viewerId, () => readableConversation(db, viewerId, id)))?.conversation ?? null;
}


const conversationCursor = (c: ConversationModel) => encodeCursor({ createdAt: c.lastActivityAt, id: c.id }, 'c1');

/**
 * The viewer's conversations, latest activity first: from the viewer's
 * memberships (the Membership(userId) index), joined to their conversations,
 * so the cost follows how many conversations the viewer is in, not how many
 * exist.
 */
export async function viewerConversations({ db }: { db: Db }, viewerId: string, page: PageArgs): Promise<ConversationConnectionModel> {
  const position = page.after === null ? null : decodeCursor(page.after, 'c1');
  const olderThanCursor = position
    ? Prisma.sql`AND c."lastActivityAt" <= ${position.createdAt} AND (c."lastActivityAt" < ${position.createdAt} OR (c."lastActivityAt" = ${position.createdAt} AND c."id" < ${position.id}))`
    : Prisma.empty;
  const rows = await db.$queryRaw<ConversationModel[]>`
    SELECT c."id", c."kind", c."name", c."nameKey", c."topic", c."visibility", c."directKey",
           c."createdAt", c."lastActivityAt", c."memberCount", c."eventSeq"
    FROM "Membership" mb JOIN "Conversation" c ON c."id" = mb."conversationId"
    WHERE mb."userId" = ${viewerId} ${olderThanCursor}
    ORDER BY c."lastActivityAt" DESC, c."id" DESC
    LIMIT ${page.first + 1}`;
  return toConnection(rows, page, () => db.membership.count({ where: { userId: viewerId } }), conversationCursor);
}

const channelCursor = (c: ConversationModel) => Buffer.from(`n1:${c.nameKey}`, 'utf8').toString('base64url');

function decodeChannelCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('n1:') || text.length > 67) throw badUserInput('Malformed cursor', 'after');
  return text.slice(3);
}

/** PUBLIC channels by name, optionally those whose name starts with `query` (case-insensitively). */
export async function publicChannels({ db }: { db: Db }, query: string | null | undefined, page: PageArgs): Promise<ConversationConnectionModel> {
  const prefix = channelPrefixOrNull(query);
  if (prefix === null) return toConnection([], page, async () => 0, channelCursor);
  const after = page.after === null ? null : decodeChannelCursor(page.after);
  const where = { nameKey: { startsWith: prefix, ...(after !== null ? { gt: after } : {}) } };
  const rows = await db.conversation.findMany({ where, orderBy: { nameKey: 'asc' }, take: page.first + 1 });
  return toConnection(rows, page, () => db.conversation.count({ where: { nameKey: { startsWith: prefix } } }), channelCursor);
}

const memberCursor = (m: MembershipModel) => encodeCursor({ createdAt: m.joinedAt, id: m.userId }, 'p1');

/** Members in the order they joined. */
export async function conversationMembers({ db }: { db: Db }, conversationId: string, page: PageArgs): Promise<MembershipConnectionModel> {
  const position = page.after === null ? null : decodeCursor(page.after, 'p1');
  const rows = await db.membership.findMany({
    where: {
      conversationId,
      ...(position
        ? { joinedAt: { gte: position.createdAt }, OR: [{ joinedAt: { gt: position.createdAt } }, { joinedAt: position.createdAt, userId: { gt: position.id } }] }
        : {}),
    },
    orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
    take: page.first + 1,
  });
  return toConnection(rows, page, () => db.membership.count({ where: { conversationId } }), memberCursor);
}
