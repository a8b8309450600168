import { withFilter } from 'graphql-subscriptions';
import type { Resolvers } from '../generated/graphql.js';
import { requireViewer } from '../auth/viewer.js';
import { notFound } from '../errors.js';
import { parseId } from '../ids.js';
import { connectionResolvers, emptyConnection, parsePageArgs, toConnection } from '../pagination.js';
import { findUserByUsername } from '../users/service.js';
import { usernameKeyOrNull } from '../users/validation.js';
import type { Context } from '../context.js';
import { fromMessageEvent, type MessageEvents } from './events.js';
import type { MessageModel } from './model.js';
import { authorPage, createMessage, deleteMessage, findReadableMessage, timelinePage, updateMessage } from './service.js';
import { parseClientMessageId } from '../conversations/validation.js';
import { parseContent } from './validation.js';

async function withAuthor(ctx: Context, message: MessageModel) {
  const author = message.author ?? (await ctx.loaders.user.load(message.authorId));
  if (!author) throw notFound('Author');
  return { ...message, author };
}

export const messageResolvers: Resolvers = {
  Query: {
    message: async (_parent, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      return findReadableMessage(ctx, viewer.userId, parseId(id));
    },
    messages: (_parent, args, ctx) => {
      requireViewer(ctx);
      return timelinePage(ctx, parsePageArgs(args));
    },
    messagesByUser: async (_parent, { username, ...args }, ctx) => {
      requireViewer(ctx);
      const page = parsePageArgs(args);
      const author = await findUserByUsername(ctx, username);
      if (!author) return emptyConnection();
      return authorPage(ctx, page, author);
    },
  },

  Mutation: {
    createMessage: async (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx);
      return createMessage(ctx, viewer.userId, {
        content: parseContent(input.content),
        conversationId: input.conversationId == null ? null : parseId(input.conversationId, 'conversationId'),
        clientMessageId: parseClientMessageId(input.clientMessageId),
      });
    },
    updateMessage: async (_parent, { id, input }, ctx) => {
      const viewer = requireViewer(ctx);
      return updateMessage(ctx, viewer.userId, parseId(id), parseContent(input.content));
    },
    deleteMessage: async (_parent, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      return (await deleteMessage(ctx, viewer.userId, parseId(id))).id;
    },
  },

  Subscription: {
    messageCreated: {
      // The username is checked and normalised once, here, not per event and
      // subscriber. A name no account can have matches nothing (as
      // messagesByUser answers an empty page for it).
      subscribe: (_parent, args, ctx, info) => {
        requireViewer(ctx);
        const events = ctx.events.iterate('MESSAGE_CREATED');
        if (args.username == null) return events as never;
        const key = usernameKeyOrNull(args.username);
        const byAuthor = withFilter<MessageEvents['MESSAGE_CREATED']>(
          () => events,
          (event) => key !== null && event!.author.username.toLowerCase() === key,
        );
        return byAuthor(undefined, args, ctx, info) as never;
      },
      resolve: (event: MessageEvents['MESSAGE_CREATED']) => fromMessageEvent(event),
    },
    messageUpdated: {
      subscribe: (_parent, _args, ctx) => {
        requireViewer(ctx);
        return ctx.events.iterate('MESSAGE_UPDATED') as never;
      },
      resolve: (event: MessageEvents['MESSAGE_UPDATED']) => fromMessageEvent(event),
    },
    messageDeleted: {
      subscribe: (_parent, _args, ctx) => {
        requireViewer(ctx);
        return ctx.events.iterate('MESSAGE_DELETED') as never;
      },
      resolve: (event: MessageEvents['MESSAGE_DELETED']) => event.id,
    },
  },

  Message: {
    author: async (message, _args, ctx) => (await withAuthor(ctx, message)).author,
    // Only a message the viewer may read reaches here, so its conversation is readable too.
    conversation: (message, _args, ctx) => (message.conversationId === null ? null : ctx.loaders.conversation.load(message.conversationId)),
    // The author's own key (for their other devices' optimistic updates); nobody else's business.
    clientMessageId: (message, _args, ctx) => (ctx.auth.kind === 'viewer' && ctx.auth.claims.userId === message.authorId ? message.clientMessageId : null),
  },

  User: {
    // Batched across every user in the response (see loaders.ts).
    messages: async (user, args, ctx) => {
      requireViewer(ctx);
      const key = { authorId: user.id, ...parsePageArgs(args) };
      const rows = await ctx.loaders.pageRows.load(key);
      return toConnection(rows, key, () => ctx.loaders.countByAuthor.load(user.id));
    },
  },

  MessageConnection: connectionResolvers,
};
