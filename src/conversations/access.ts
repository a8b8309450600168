// Who may read and who may write a conversation: the one rule, used by every
// path (queries, mutations, message(id), updates and deletes, the event
// stream and its replay). From conversations.graphql:
//   - a PUBLIC channel: every signed-in user reads; members write;
//   - a PRIVATE channel or a DIRECT conversation: members only. To anyone
//     else it does not exist (null / NOT_FOUND, as for an unknown id).
import type { Db } from '../db/client.js';
import { forbidden, notFound } from '../errors.js';
import type { ConversationModel, MembershipModel } from './model.js';

/** A conversation as one viewer sees it: the row and the viewer's membership, if any. */
export interface Access {
  conversation: ConversationModel;
  membership: MembershipModel | null;
}

export const isPublicChannel = (conversation: Pick<ConversationModel, 'kind' | 'visibility'>): boolean =>
  conversation.kind === 'CHANNEL' && conversation.visibility === 'PUBLIC';

/** The read rule. */
export const mayRead = (access: Access): boolean => access.membership !== null || isPublicChannel(access.conversation);

/** The write rule (messages, typing, read positions): members only. */
export const mayWrite = (access: Access): boolean => access.membership !== null;

/** The conversation and the viewer's membership in one query; null for an unknown id. */
export async function loadAccess(db: Db, viewerId: string, conversationId: string): Promise<Access | null> {
  const row = await db.conversation.findUnique({
    where: { id: conversationId },
    include: { memberships: { where: { userId: viewerId } } },
  });
  if (!row) return null;
  const { memberships, ...conversation } = row;
  return { conversation, membership: memberships[0] ?? null };
}

/** What the viewer may read, else null: an unreadable conversation and a missing one look the same. */
export async function readableConversation(db: Db, viewerId: string, conversationId: string): Promise<Access | null> {
  const access = await loadAccess(db, viewerId, conversationId);
  return access && mayRead(access) ? access : null;
}

/** For writes: NOT_FOUND when the viewer may not even read it, FORBIDDEN when they may read but are no member. */
export async function requireMember(db: Db, viewerId: string, conversationId: string): Promise<Access & { membership: MembershipModel }> {
  const access = await readableConversation(db, viewerId, conversationId);
  if (!access) throw notFound('Conversation');
  if (!mayWrite(access)) throw forbidden('Only members may do this');
  return access as Access & { membership: MembershipModel };
}

/** Channel administration: the OWNER only (FORBIDDEN for other members). */
export async function requireOwner(db: Db, viewerId: string, conversationId: string): Promise<Access & { membership: MembershipModel }> {
  const access = await requireMember(db, viewerId, conversationId);
  if (access.membership.role !== 'OWNER') throw forbidden('Only the channel owner may do this');
  return access;
}
