import { withFilter } from 'graphql-subscriptions';
import type { Resolvers } from '../generated/graphql.js';
import { requireViewer } from '../auth/viewer.js';
import { notFound } from '../errors.js';
import { parseId } from '../ids.js';
import { fromMessageEvent, toMessageEvent, type EventPayloads } from '../pubsub/events.js';
import { findUserByUsername } from '../users/service.js';
import { usernameKeyOrNull } from '../users/validation.js';
import type { Context } from '../context.js';
import { encodeCursor, parsePageSize } from './cursor.js';
import type { MessageModel } from './model.js';
import { createMessage, deleteMessage, emptyConnection, findMessage, messagesPage, updateMessage } from './service.js';
import { parseContent } from './validation.js';

async function withAuthor(ctx: Context, message: MessageModel) {
  const author = message.author ?? (await ctx.loaders.user.load(message.authorId));
  if (!author) throw notFound('Author');
  return { ...message, author };
}

export const messageResolvers: Resolvers = {
  Query: {
    message: async (_parent, { id }, ctx) => {
      requireViewer(ctx);
      return findMessage(ctx.db, parseId(id));
    },
    messages: (_parent, { first, after }, ctx) => {
      requireViewer(ctx);
      return messagesPage(ctx.db, { first: parsePageSize(first), after: after ?? null });
    },
    messagesByUser: async (_parent, { username, first, after }, ctx) => {
      requireViewer(ctx);
      const page = { first: parsePageSize(first), after: after ?? null };
      const author = await findUserByUsername(ctx.db, username);
      if (!author) return emptyConnection();
      return messagesPage(ctx.db, { ...page, authorId: author.id });
    },
  },

  Mutation: {
    createMessage: async (_parent, { input }, ctx) => {
      const viewer = requireViewer(ctx);
      const message = await withAuthor(ctx, await createMessage(ctx.db, viewer.userId, parseContent(input.content)));
      // Published after the write committed: subscribers can read it back.
      await ctx.events.publish('MESSAGE_CREATED', toMessageEvent(message));
      return message;
    },
    updateMessage: async (_parent, { id, input }, ctx) => {
      const viewer = requireViewer(ctx);
      const { message, changed } = await updateMessage(ctx.db, viewer.userId, parseId(id), parseContent(input.content));
      const full = await withAuthor(ctx, message);
      if (changed) await ctx.events.publish('MESSAGE_UPDATED', toMessageEvent(full));
      return full;
    },
    deleteMessage: async (_parent, { id }, ctx) => {
      const viewer = requireViewer(ctx);
      const message = await deleteMessage(ctx.db, viewer.userId, parseId(id));
      await ctx.events.publish('MESSAGE_DELETED', { id: message.id, authorId: message.authorId });
      return message.id;
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
        const byAuthor = withFilter<EventPayloads['MESSAGE_CREATED']>(
          () => events,
          (event) => key !== null && event!.author.username.toLowerCase() === key,
        );
        return byAuthor(undefined, args, ctx, info) as never;
      },
      resolve: (event: EventPayloads['MESSAGE_CREATED']) => fromMessageEvent(event),
    },
    messageUpdated: {
      subscribe: (_parent, _args, ctx) => {
        requireViewer(ctx);
        return ctx.events.iterate('MESSAGE_UPDATED') as never;
      },
      resolve: (event: EventPayloads['MESSAGE_UPDATED']) => fromMessageEvent(event),
    },
    messageDeleted: {
      subscribe: (_parent, _args, ctx) => {
        requireViewer(ctx);
        return ctx.events.iterate('MESSAGE_DELETED') as never;
      },
      resolve: (event: EventPayloads['MESSAGE_DELETED']) => event.id,
    },
  },

  Message: {
    author: async (message, _args, ctx) => (await withAuthor(ctx, message)).author,
  },

  MessageConnection: {
    edges: (page) => page.nodes.map((node) => ({ cursor: encodeCursor(node), node })),
    pageInfo: (page) => ({
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.nodes[0] ? encodeCursor(page.nodes[0]) : null,
      endCursor: page.nodes.at(-1) ? encodeCursor(page.nodes.at(-1)!) : null,
    }),
    totalCount: (page) => page.countTotal(),
  },
};
