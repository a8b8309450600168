import type { Resolvers } from '../generated/graphql.js';
import { login, refresh, register } from './accounts.js';
import { logout } from './sessions.js';

export const authResolvers: Resolvers = {
  Query: {
    // null, not an error, without a valid token (contract).
    me: (_parent, _args, ctx) => (ctx.auth.kind === 'viewer' ? ctx.loaders.user.load(ctx.auth.claims.userId) : null),
  },
  Mutation: {
    register: (_parent, { input }, ctx) => register(ctx, input, ctx.ip),
    login: (_parent, { input }, ctx) => login(ctx, input, ctx.ip),
    refreshToken: (_parent, { refreshToken }, ctx) => refresh(ctx, refreshToken, ctx.ip),
    logout: (_parent, args, ctx) => logout(ctx, ctx.auth, args),
  },
};
