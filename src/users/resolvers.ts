import type { Resolvers } from '../generated/graphql.js';
import { requireViewer } from '../auth/viewer.js';
import { findUserByUsername } from './service.js';

export const userResolvers: Resolvers = {
  Query: {
    user: (_parent, { username }, ctx) => {
      requireViewer(ctx);
      return findUserByUsername(ctx, username);
    },
  },
  // User.messages is a message list: see messages/resolvers.ts.
};
