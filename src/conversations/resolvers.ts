import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { requireViewer } from '../auth/viewer.js';
import { notFound } from '../errors.js';
import { parseId } from '../ids.js';
import { conversationPage } from '../messages/service.js';
import { connectionResolvers, parsePageArgs, parsePageSize } from '../pagination.js';
import type { ConversationEventModel } from './model.js';
import {
  addMembers,
  conversationMembers,
  createChannel,
  findConversation,
  joinChannel,
  leaveConversation,
  markRead,
  openDirectConversation,
  publicChannels,
  removeMember,
  updateChannel,
  viewerConversations,
} from './service.js';
import { openEventStream } from './stream.js';
import { typing } from './typing.js';

const EVENT_TYPES = {
  MESSAGE_CREATED: 'MessageCreatedEvent',
  MESSAGE_UPDATED: 'MessageUpdatedEvent',
  MESSAGE_DELETED: 'MessageDeletedEvent',
  MEMBER_JOINED: 'MemberJoinedEvent',
  MEMBER_LEFT: 'MemberLeftEvent',
  CONVERSATION_UPDATED: 'ConversationUpdatedEvent',
  READ_POSITION: 'ReadPositionEvent',
  TYPING: 'TypingEvent',
} as const;

const eventUser = async (event: ConversationEventModel, _args: unknown, ctx: Context) => {
  const user = await ctx.loaders.user.load(event.userId!);
  if (!user) throw notFound('User');
  return user;
};

export const conversationResolvers: Resolvers = {
  Query: {
    conversations: (_parent, args, ctx) => viewerConversations(ctx, requireViewer(ctx).userId, parsePageArgs(args)),
    conversation: (_parent, { id }, ctx) => findConversation(ctx, requireViewer(ctx).userId, parseId(id)),
    publicChannels: (_parent, { query, ...args }, ctx) => {
      requireViewer(ctx);
      return publicChannels(ctx, query, parsePageArgs(args));
    },
  },

  Mutation: {
    createChannel: (_parent, { input }, ctx) => createChannel(ctx, requireViewer(ctx).userId, input),
    updateChannel: (_parent, { id, input }, ctx) => updateChannel(ctx, requireViewer(ctx).userId, parseId(id), input),
    joinChannel: (_parent, { id }, ctx) => joinChannel(ctx, requireViewer(ctx).userId, parseId(id)),
    leaveConversation: (_parent, { id }, ctx) => leaveConversation(ctx, requireViewer(ctx).userId, parseId(id)),
    addMembers: (_parent, { conversationId, usernames }, ctx) =>
      addMembers(ctx, requireViewer(ctx).userId, parseId(conversationId, 'conversationId'), usernames),
    removeMember: (_parent, { conversationId, username }, ctx) =>
      removeMember(ctx, requireViewer(ctx).userId, parseId(conversationId, 'conversationId'), username),
    openDirectConversation: (_parent, { username }, ctx) => openDirectConversation(ctx, requireViewer(ctx).userId, username),
    markRead: (_parent, { conversationId, messageId }, ctx) =>
      markRead(ctx, requireViewer(ctx).userId, parseId(conversationId, 'conversationId'), parseId(messageId, 'messageId')),
    typing: (_parent, { conversationId }, ctx) => typing(ctx, requireViewer(ctx).userId, parseId(conversationId, 'conversationId')),
  },

  Subscription: {
    events: {
      // The stream's starting point (and any RESYNC_REQUIRED) is settled
      // before the subscription starts, so errors arrive as its error message.
      subscribe: async (_parent, { after, conversationId }, ctx) =>
        (await openEventStream(ctx, requireViewer(ctx).userId, {
          after: after ?? null,
          conversationId: conversationId == null ? null : parseId(conversationId, 'conversationId'),
        })) as never,
      resolve: (event: ConversationEventModel) => event,
    },
  },

  Conversation: {
    name: (c) => (c.kind === 'CHANNEL' ? c.name : null),
    visibility: (c) => (c.kind === 'CHANNEL' ? (c.visibility as 'PUBLIC' | 'PRIVATE') : null),
    kind: (c) => c.kind as 'CHANNEL' | 'DIRECT',
    members: (c, args, ctx) => conversationMembers(ctx, c.id, { first: parsePageSize(args.first, 50), after: args.after ?? null }),
    // Resolved only on a conversation the viewer may read (every path to a Conversation checks it).
    messages: (c, args, ctx) => conversationPage(ctx, c.id, parsePageArgs(args)),
    lastMessage: (c, _args, ctx) => ctx.loaders.lastMessage.load(c.id),
    // The viewer's membership row holds it (unread.ts keeps it); 0 for non-members.
    unreadCount: async (c, _args, ctx) => (await ctx.loaders.viewerMembership.load(c.id))?.unreadCount ?? 0,
    viewerMembership: (c, _args, ctx) => ctx.loaders.viewerMembership.load(c.id),
  },

  Membership: {
    user: async (m, _args, ctx) => {
      const user = await ctx.loaders.user.load(m.userId);
      if (!user) throw notFound('User');
      return user;
    },
    role: (m) => m.role as 'OWNER' | 'MEMBER',
  },

  ConversationConnection: connectionResolvers,
  MembershipConnection: connectionResolvers,

  ConversationEvent: {
    __resolveType: (event) => EVENT_TYPES[event.type],
  },
  MessageCreatedEvent: { message: (e) => e.message! },
  MessageUpdatedEvent: { message: (e) => e.message! },
  MessageDeletedEvent: { messageId: (e) => e.messageId! },
  MemberJoinedEvent: { membership: (e) => e.membership! },
  MemberLeftEvent: { user: eventUser },
  ConversationUpdatedEvent: {
    conversation: async (e, _args, ctx) => {
      const conversation = e.conversation ?? (await ctx.loaders.conversation.load(e.conversationId));
      if (!conversation) throw notFound('Conversation');
      return conversation;
    },
  },
  ReadPositionEvent: { user: eventUser, lastReadMessageId: (e) => e.lastReadMessageId! },
  TypingEvent: { user: eventUser },
};

