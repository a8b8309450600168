// GraphQL subscriptions over graphql-ws on the HTTP server's port and path.
//
// Close codes (documented in README.md) so a client knows what to do:
//   4001  access token expired        -> reconnect with a fresh token
//   4002  session revoked (logout)    -> log in again
//   4401  invalid token at connect    -> do not retry with the same token
// 4001/4002 are not in graphql-ws's list of fatal codes, so its client retries
// by itself and calls a `connectionParams` function again for a fresh token.
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { authFromToken, createContext, type AppServices, type Auth } from '../context.js';
import { bearerToken } from '../auth/tokens.js';
import { clientIp } from './handler.js';
import { ErrorCode, badUserInput, isExpectedError } from '../errors.js';
import { allValidationRules, type Limits } from '../graphql/limits.js';

export const CloseCode = {
  AccessTokenExpired: 4001,
  SessionRevoked: 4002,
  Unauthorized: 4401,
  ServerShuttingDown: 1001,
} as const;

/** Why a connection is refused at connect, as a close code and reason. */
const REFUSALS: Record<'expired' | 'invalid' | 'revoked', [number, string]> = {
  expired: [CloseCode.AccessTokenExpired, 'Access token expired'],
  invalid: [CloseCode.Unauthorized, 'Invalid access token'],
  revoked: [CloseCode.Unauthorized, 'Session revoked'],
};

interface SocketState {
  auth: Auth;
  userId?: string;
  sessionId?: string;
  expiryTimer?: NodeJS.Timeout;
}

/** setTimeout's ceiling (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WebSocketSide {
  /** Closes every socket (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

export async function attachWebSocketServer(
  httpServer: Server,
  schema: GraphQLSchema,
  services: AppServices,
  limits: Limits,
): Promise<WebSocketSide> {
  const { config, events } = services;
  // Messages over maxPayload close the socket (1009) before they are parsed.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.webSocket.maxPayloadBytes });
  // The same operation limits as HTTP (depth, aliases, cost, tokens, one expensive field).
  const rules = allValidationRules(limits, config.introspection);
  const states = new Map<WebSocket, SocketState>();

  // Logout anywhere (any instance, once events cross instances) closes the
  // sockets of the revoked sessions.
  const stopListening = await events.listen('SESSIONS_REVOKED', ({ userId, sessionIds }) => {
    for (const [socket, state] of states) {
      if (state.userId !== userId) continue;
      if (sessionIds === 'all' || (state.sessionId && sessionIds.includes(state.sessionId))) {
        socket.close(CloseCode.SessionRevoked, 'Session revoked');
      }
    }
  });

  const server = useServer<Record<string, unknown> | undefined, { state: SocketState }>(
    {
      schema,
      connectionInitWaitTimeout: config.webSocket.initTimeoutMs,
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length >= config.webSocket.maxSubscriptions) {
          return [badUserInput(`At most ${config.webSocket.maxSubscriptions} subscriptions per connection`)];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, limits.parseOptions);
        } catch (error) {
          return [error instanceof GraphQLError ? withCode(error, 'GRAPHQL_PARSE_FAILED') : badUserInput('Unparsable query')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: createContext(services, ctx.extra.state?.auth ?? { kind: 'anonymous' }, clientIp(config, ctx.extra.request)),
        };
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.authorization ?? params.Authorization);
        const auth = await authFromToken(services, token);
        const { socket } = ctx.extra;
        const state: SocketState = { auth };
        if (auth.kind === 'invalid') {
          const [code, reason] = REFUSALS[auth.reason];
          socket.close(code, reason);
          return false;
        }
        if (auth.kind === 'viewer') {
          const { claims } = auth;
          state.userId = claims.userId;
          state.sessionId = claims.sessionId;
          const msLeft = Math.min(claims.expiresAt.getTime() - Date.now(), MAX_TIMER_MS);
          state.expiryTimer = setTimeout(
            () => socket.close(CloseCode.AccessTokenExpired, 'Access token expired'),
            Math.max(0, msLeft),
          );
        }
        // Anonymous connections are accepted; each subscription then
        // answers UNAUTHENTICATED, which tells the client what is wrong.
        states.set(socket, state);
        ctx.extra.state = state;
        return true;
      },
      // Same rule as HTTP: unexpected errors are logged, and masked in production.
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return;
        const errors = result.errors.map((error) => {
          if (isExpectedError(error.extensions?.code)) return error;
          services.log.error({ err: error.originalError ?? error }, 'unexpected error in subscription');
          return config.production
            ? new GraphQLError('Internal server error', { path: error.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })
            : error;
        });
        return { ...result, errors };
      },
      onClose: (ctx) => forget(ctx.extra),
      onDisconnect: (ctx) => forget(ctx.extra),
    },
    wss,
  );

  /** The codes Apollo gives the same refusals over HTTP, so clients see one behaviour. */
  function withCode(error: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code } });
  }

  function forget(extra: Extra & Partial<{ state: SocketState }>) {
    clearTimeout(extra.state?.expiryTimer);
    states.delete(extra.socket);
  }

  return {
    async close() {
      await stopListening();
      for (const socket of wss.clients) socket.close(CloseCode.ServerShuttingDown, 'Server shutting down');
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
