// GraphQL subscriptions over graphql-ws on the HTTP server's port and path.
//
// Close codes (documented in README.md) so a client knows what to do:
//   4001  access token expired        -> reconnect with a fresh token
//   4002  session revoked (logout)    -> log in again
//   4401  invalid token at connect    -> do not retry with the same token
//   4400  message JSON nested deeper than JSON_MAX_DEPTH
//   4429  too many connections from this address or for this user
//   4003  anonymous connection idle for WS_ANONYMOUS_IDLE_TIMEOUT
// 4001/4002 are not in graphql-ws's list of fatal codes, so its client retries
// by itself and calls a `connectionParams` function again for a fresh token.
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { GraphQLError, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createContext, type AppServices } from '../context.js';
import { authFromToken, type Auth } from '../auth/viewer.js';
import { bearerToken, type AccessClaims } from '../auth/tokens.js';
import { clientAddressKey } from './clientAddress.js';
import { exceedsJsonDepth } from './jsonDepth.js';
import { ErrorCode, MAX_ERRORS_PER_RESPONSE, badUserInput, boundMessage, hideSuggestions, isExpectedError, unauthenticated } from '../errors.js';
import { allValidationRules, type Limits } from '../graphql/limits.js';
import type { SubscriptionObserver } from '../observability/subscriptions.js';
import { TrustedDocuments } from '../graphql/trustedDocuments.js';

export const CloseCode = {
  AccessTokenExpired: 4001,
  SessionRevoked: 4002,
  Unauthorized: 4401,
  BadRequest: 4400,
  TooManyConnections: 4429,
  AnonymousIdle: 4003,
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
  claims?: AccessClaims;
  /** Expiry of the access token, periodic session check, or anonymous idle close. */
  timers: NodeJS.Timeout[];
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
  observer: SubscriptionObserver,
): Promise<WebSocketSide> {
  const { config, events } = services;
  const ws = config.webSocket;
  // Messages over maxPayload close the socket (1009) before they are parsed.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: ws.maxPayloadBytes });
  // The same operation limits as HTTP (depth, aliases, cost, tokens, one expensive field).
  const rules = allValidationRules(limits, config.introspection);
  const trusted = TrustedDocuments.load(config.trustedDocuments);
  const states = new Map<WebSocket, SocketState>();
  const perAddress = new Counter();
  /** Each socket's address key, worked out once in the 'connection' listener below (which every socket passes first). */
  const addresses = new WeakMap<WebSocket, string>();
  const perUser = new Counter();

  // Logout anywhere (any instance, once events cross instances) closes the
  // sockets of the revoked sessions.
  const stopListening = await events.listen('SESSIONS_REVOKED', ({ userId, sessionIds }) => {
    for (const [socket, state] of states) {
      if (state.claims?.userId !== userId) continue;
      if (sessionIds === 'all' || sessionIds.includes(state.claims.sessionId)) {
        socket.close(CloseCode.SessionRevoked, 'Session revoked');
      }
    }
  });

  // Registered before graphql-ws's own listener, so it sees every socket and
  // message first.
  wss.on('connection', (socket, request) => {
    const address = clientAddressKey(config, request);
    addresses.set(socket, address);
    observer.socketOpened();
    socket.once('close', () => observer.socketClosed(socket));
    if (perAddress.add(address) > ws.maxConnectionsPerIp) {
      socket.close(CloseCode.TooManyConnections, 'Too many connections from this address');
    }
    socket.once('close', () => perAddress.remove(address));
    // graphql-ws JSON.parses every message; a deeply nested one is refused
    // before that, from the raw bytes. (ws hands a Buffer for text frames.)
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && Buffer.isBuffer(args[0]) && exceedsJsonDepth(args[0], config.jsonMaxDepth)) {
        socket.close(CloseCode.BadRequest, `JSON nested deeper than ${config.jsonMaxDepth} levels`);
        return true;
      }
      return emit(event, ...args);
    };
  });

  /** Closes the socket with 4002 when its session ended and the revocation event was missed. */
  async function sessionStillActive(socket: WebSocket, claims: AccessClaims): Promise<boolean> {
    if (await services.activeSessions.isActive(claims)) return true;
    socket.close(CloseCode.SessionRevoked, 'Session revoked');
    return false;
  }

  const server = useServer<Record<string, unknown> | undefined, { state: SocketState }>(
    {
      schema,
      connectionInitWaitTimeout: ws.initTimeoutMs,
      onSubscribe: async (ctx, id, payload) => {
        const state = ctx.extra.state;
        // graphql-ws registers this id before calling us: count the others.
        if (Object.keys(ctx.subscriptions).filter((other) => other !== id).length >= ws.maxSubscriptions) {
          return [badUserInput(`At most ${ws.maxSubscriptions} subscriptions per connection`)];
        }
        if (state?.claims && !(await sessionStillActive(ctx.extra.socket, state.claims))) {
          return [unauthenticated('Session ended (logged out)')];
        }
        // By hash (documentId or extensions.persistedQuery), and with TRUSTED_DOCUMENTS=only nothing else.
        const source = trusted.subscribeDocument(payload);
        if (source instanceof GraphQLError) return [source];
        let document: DocumentNode;
        try {
          document = parse(source, limits.parseOptions);
        } catch (error) {
          return [error instanceof GraphQLError ? withCode(error, ErrorCode.GRAPHQL_PARSE_FAILED) : badUserInput('Unparsable query')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.slice(0, MAX_ERRORS_PER_RESPONSE).map((error) => withCode(error, ErrorCode.GRAPHQL_VALIDATION_FAILED));
        const operation = getOperationAST(document, payload.operationName);
        const problem = operation && limits.checkOperation(schema, document, operation, payload.variables);
        if (problem) return [problem];
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: createContext(services, state?.auth ?? { kind: 'anonymous' }, addresses.get(ctx.extra.socket)!),
        };
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.authorization ?? params.Authorization);
        const auth = await authFromToken(services, token);
        const { socket } = ctx.extra;
        // Closed while the token was being checked: onClose has run already
        // and found nothing to release, so register nothing (no count, no timers).
        if (socket.readyState !== socket.OPEN) return false;
        const state: SocketState = { auth, timers: [] };
        if (auth.kind === 'invalid') {
          const [code, reason] = REFUSALS[auth.reason];
          socket.close(code, reason);
          return false;
        }
        if (auth.kind === 'viewer') {
          const { claims } = auth;
          if (perUser.add(claims.userId) > ws.maxConnectionsPerUser) {
            perUser.remove(claims.userId);
            socket.close(CloseCode.TooManyConnections, 'Too many connections for this user');
            return false;
          }
          state.claims = claims;
          const msLeft = Math.min(claims.expiresAt.getTime() - Date.now(), MAX_TIMER_MS);
          state.timers.push(
            setTimeout(() => socket.close(CloseCode.AccessTokenExpired, 'Access token expired'), Math.max(0, msLeft)),
            // Revocations normally arrive as events; this catches a missed one
            // (Redis away during a logout) within SESSION_CHECK_TTL.
            setInterval(() => sessionStillActive(socket, claims).catch((error: unknown) => services.log.warn({ err: error }, 'session check failed')), Math.max(1, config.jwt.sessionCheckTtlSeconds) * 1000),
          );
        } else {
          // Anonymous connections are accepted (each subscription then answers
          // UNAUTHENTICATED, which tells the client what is wrong), but they
          // can hold no subscription, so they are not kept open for long.
          state.timers.push(setTimeout(() => socket.close(CloseCode.AnonymousIdle, 'Idle anonymous connection'), ws.anonymousIdleTimeoutMs));
        }
        states.set(socket, state);
        ctx.extra.state = state;
        return true;
      },
      // Same rule as HTTP: unexpected errors are logged, and masked in
      // production; every error is bounded in size and number.
      onNext: (ctx, id, _payload, _args, result) => {
        observer.delivered(ctx.extra.socket, id);
        if (!('errors' in result) || !result.errors) return;
        const errors = result.errors.slice(0, MAX_ERRORS_PER_RESPONSE).map((error) => {
          if (isExpectedError(error.extensions?.code)) return bounded(error);
          services.log.error({ err: error.originalError ?? error }, 'unexpected error in subscription');
          return config.production
            ? new GraphQLError('Internal server error', { path: error.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })
            : bounded(error);
        });
        return { ...result, errors };
      },
      // A subscription's stream is open: counted and logged until onComplete (or the socket's close).
      // Not when the client completed it or the socket closed meanwhile: graphql-ws then ends it unseen.
      onOperation: (ctx, id, _payload, args, result) => {
        if (Symbol.asyncIterator in result && id in ctx.subscriptions) observer.started(ctx.extra.socket, id, args.document, args.operationName, ctx.extra.state?.claims?.userId ?? null);
      },
      onComplete: (ctx, id) => observer.ended(ctx.extra.socket, id),
      onClose: (ctx) => forget(ctx.extra),
      onDisconnect: (ctx) => forget(ctx.extra),
    },
    wss,
  );

  /** The codes Apollo gives the same refusals over HTTP, so clients see one behaviour. */
  function withCode(error: GraphQLError, code: string): GraphQLError {
    return bounded(error, { code });
  }

  /** A copy with a bounded message, without suggestions in production. */
  function bounded(error: GraphQLError, extensions = error.extensions): GraphQLError {
    const message = boundMessage(config.production ? hideSuggestions(error.message) : error.message);
    if (message === error.message && extensions === error.extensions) return error;
    return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
  }

  function forget(extra: Extra & Partial<{ state: SocketState }>) {
    const state = extra.state;
    if (!state || !states.has(extra.socket)) return;
    for (const timer of state.timers) clearTimeout(timer);
    if (state.claims) perUser.remove(state.claims.userId);
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

/** Open connections per key (address or user). */
class Counter {
  private readonly counts = new Map<string, number>();

  /** Adds one and returns the new count. */
  add(key: string): number {
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count;
  }

  remove(key: string): void {
    const count = (this.counts.get(key) ?? 0) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }
}
