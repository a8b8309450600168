import type { Resolvers } from '../generated/graphql.js';
import { requireViewer } from '../auth/viewer.js';
import { parsePageSize } from '../messages/cursor.js';
import { toConnection } from '../messages/service.js';
import { findUserByUsername } from './service.js';

export const userResolvers: Resolvers = {
  Query: {
    user: (_parent, { username }, ctx) => {
      requireViewer(ctx);
      return findUserByUsername(ctx.db, username);
    },
  },
  User: {
    // Batched across every user in the response (see messages/loaders.ts).
    messages: async (user, { first, after }, ctx) => {
      requireViewer(ctx);
      const key = { authorId: user.id, first: parsePageSize(first), after: after ?? null };
      const rows = await ctx.loaders.pageRows.load(key);
      return toConnection(rows, key.first, key.after, () => ctx.loaders.countByAuthor.load(user.id));
    },
  },
};
