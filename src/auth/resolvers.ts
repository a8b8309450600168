import type { Resolvers } from '../generated/graphql.js';
import { unauthenticated } from '../errors.js';
import { login, register } from '../users/service.js';
import { normalizeUsername } from '../users/validation.js';
import { requireViewer } from './viewer.js';
import { revokeSessions, rotateRefreshToken, sessionOfRefreshToken } from './sessions.js';

export const authResolvers: Resolvers = {
  Query: {
    // null, not an error, without a valid token (contract).
    me: (_parent, _args, ctx) => (ctx.auth.kind === 'viewer' ? ctx.loaders.user.load(ctx.auth.claims.userId) : null),
  },
  Mutation: {
    register: async (_parent, { input }, ctx) => {
      await ctx.rateLimits.consume('registerPerIp', ctx.ip);
      return register(ctx, input);
    },
    login: async (_parent, { input }, ctx) => {
      const usernameKey = normalizeUsername(input.username).key;
      await ctx.rateLimits.consume('loginPerIp', ctx.ip);
      await ctx.rateLimits.consume('loginPerUsername', usernameKey);
      const result = await login(ctx, input);
      await ctx.rateLimits.reset('loginPerUsername', usernameKey);
      return result;
    },
    refreshToken: async (_parent, { refreshToken }, ctx) => {
      await ctx.rateLimits.consume('refreshPerIp', ctx.ip);
      return rotateRefreshToken(ctx.db, ctx.events, ctx.config.jwt, refreshToken);
    },
    logout: async (_parent, { refreshToken, allSessions }, ctx) => {
      if (allSessions) {
        const viewer = requireViewer(ctx);
        await revokeSessions(ctx.db, ctx.events, viewer.userId, 'all');
        return true;
      }
      if (refreshToken) {
        // Possession of the refresh token is the proof: no access token needed.
        const session = await sessionOfRefreshToken(ctx.db, refreshToken);
        if (!session) return false;
        if (!session.revokedAt) await revokeSessions(ctx.db, ctx.events, session.userId, [session.id]);
        return true;
      }
      if (ctx.auth.kind !== 'viewer') throw unauthenticated('Pass a refresh token or an access token to log out');
      await revokeSessions(ctx.db, ctx.events, ctx.auth.claims.userId, [ctx.auth.claims.sessionId]);
      return true;
    },
  },
};
