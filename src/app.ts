// Assembles the server: database, events, GraphQL schema, HTTP + WebSocket.
// `startApp` is what `npm start` runs and what integration tests start.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openDatabase, type DatabaseOptions } from './db/client.js';
import { createMemoryEventBus } from './pubsub/memory.js';
import { Passwords } from './auth/passwords.js';
import { createRateLimits } from './auth/rateLimits.js';
import { ActiveSessions } from './auth/activeSessions.js';
import { AccessTokenVerifier } from './auth/tokens.js';
import { UserCache } from './users/cache.js';
import { TimelineCache } from './messages/timelineCache.js';
import { MessageInserts } from './messages/inserts.js';
import { ConversationFeed } from './conversations/feed.js';
import { ConversationCache } from './conversations/cache.js';
import { changesConversation } from './conversations/events.js';
import { CursorCodec } from './conversations/cursor.js';
import { TypingThrottle } from './conversations/typing.js';
import { startEventPruning } from './conversations/pruning.js';
import type { AppEvents, AppServices } from './context.js';
import { createSchema } from './graphql/schema.js';
import { operationLimits } from './graphql/limits.js';
import { createApollo } from './http/apollo.js';
import { createHttpHandler } from './http/handler.js';
import { attachWebSocketServer } from './http/websocket.js';
import { Metrics } from './observability/metrics.js';
import { countPublished } from './observability/events.js';
import { SubscriptionObserver } from './observability/subscriptions.js';
import { metricsEndpoint, startMetricsServer } from './observability/endpoint.js';

export interface RunningApp {
  url: string;
  port: number;
  /** Where GET /metrics answers: the API's port, or METRICS_PORT's. */
  metricsUrl: string;
  services: AppServices;
  /** Graceful stop: refuse new work, finish in-flight requests, close everything. */
  stop(): Promise<void>;
}

export interface AppOptions extends DatabaseOptions {
  log?: Logger;
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<RunningApp> {
  const log = options.log ?? createLogger(config.logLevel, config.logFormat);
  for (const warning of config.warnings) log.warn(warning);

  const metrics = new Metrics();
  const database = await openDatabase(config, log, {
    onQuery: (sql, durationMs) => {
      metrics.databaseQuery(sql, durationMs);
      options.onQuery?.(sql, durationMs);
    },
  });
  // With Redis, events and rate-limit counters are shared by every instance.
  // Modules a deployment may not use (ioredis, serve-static) load only when it does: start-up time and memory.
  const redisModule = config.redis ? await import('./pubsub/redis.js') : null;
  const redis = redisModule?.connectRedis(config.redis!.url, log) ?? null;
  const bus = redis ? redisModule!.createRedisEventBus<AppEvents>(redis, config.redis!.prefix, log) : createMemoryEventBus<AppEvents>();
  // Every publish is counted, whichever the transport.
  const events = countPublished(bus, metrics);
  const redisStore = redis ? { client: redis.commands, prefix: config.redis!.prefix } : undefined;
  const timeline = new TimelineCache();
  const services: AppServices = {
    config,
    log,
    db: database.db,
    events,
    passwords: new Passwords(config.passwordHashing),
    rateLimits: createRateLimits(config.rateLimits, redisStore),
    accessTokens: new AccessTokenVerifier(config.jwt),
    userCache: new UserCache(),
    timeline,
    messageInserts: new MessageInserts(database.db),
    conversationCache: new ConversationCache(timeline),
    activeSessions: new ActiveSessions(database.db, config.jwt.sessionCheckTtlSeconds),
    conversationFeed: await ConversationFeed.start(events),
    eventCursors: new CursorCodec(config.jwt.secret),
    typing: new TypingThrottle(redisStore),
  };
  // A change of a conversation on any instance (this one included) ends what is cached of it.
  const stopConversationCache = services.conversationFeed.subscribe((event) => {
    if (changesConversation(event)) services.conversationCache.changed(event.conversationId);
  });
  const stopPruning = startEventPruning(database.db, config.eventRetentionSeconds, log);
  // Logouts anywhere end this instance's cached sessions at once.
  const stopRevocations = await services.events.listen('SESSIONS_REVOKED', (event) => services.activeSessions.revoked(event));
  // A message write on any instance (this one included) ends the cached timeline pages.
  const stopTimeline = await Promise.all(
    (['MESSAGE_CREATED', 'MESSAGE_UPDATED', 'MESSAGE_DELETED'] as const).map((topic) => services.events.listen(topic, () => services.timeline.clear())),
  );

  const schema = createSchema();
  // Node checks the header and request deadlines every
  // connectionsCheckingInterval (30 s by default): check each second, so a
  // client trickling its request is cut close to the deadline.
  const httpServer = createServer({
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    connectionsCheckingInterval: 1000,
  });
  // Keep-alive sockets idle longer than a typical load balancer's timeout.
  httpServer.keepAliveTimeout = 65_000;
  // A socket with no traffic at all for this long is closed (0 in Node: never).
  httpServer.timeout = config.http.idleTimeoutMs;
  // One set of operation limits for both transports.
  const limits = operationLimits(config.operationLimits);
  const webSocket = await attachWebSocketServer(httpServer, schema, services, limits, new SubscriptionObserver(log, metrics));
  const apollo = createApollo({ schema, config, log, httpServer, limits, metrics, onDrain: () => webSocket.close() });
  await apollo.start();

  const serveMetrics = metricsEndpoint(metrics, config.metrics.token);
  let stopping = false;
  const handle = createHttpHandler({
    services,
    apollo,
    // With METRICS_PORT, /metrics is served there only (a load balancer in front of the API never routes to it).
    metrics: config.metrics.port === null ? serveMetrics : undefined,
    appPage: config.appPage ? (await import('./http/appPage.js')).createAppPage(log) : undefined,
    readiness: async () => ({
      stopping,
      database: await database.isReady(),
      redis: redis ? redis.isReady() : undefined,
    }),
  });
  httpServer.on('request', (req, res) => void handle(req, res));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/graphql`;
  const metricsServer = config.metrics.port === null ? null : await startMetricsServer(serveMetrics, config.host, config.metrics.port);
  const metricsUrl = metricsServer?.url ?? url.replace(/\/graphql$/, '/metrics');
  log.info({ url, database: database.provider, redis: redis !== null, metrics: metricsUrl, tracing: config.tracing !== null }, 'messaging API ready');

  let stopped: Promise<void> | null = null;
  return {
    url,
    port,
    metricsUrl,
    services,
    stop() {
      stopped ??= (async () => {
        // Readiness fails first, so a load balancer stops sending new work
        // (SHUTDOWN_DELAY gives it time to notice), then HTTP drains.
        stopping = true;
        if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        await apollo.stop(); // drains HTTP (in-flight requests finish), then closes sockets
        await metricsServer?.close();
        await stopRevocations();
        for (const stop of stopTimeline) await stop();
        stopPruning();
        stopConversationCache();
        await services.conversationFeed.stop();
        await services.events.close();
        await redis?.close();
        await database.close();
        await services.passwords.close(); // after the drain, so no hash is cut short
        log.info('stopped');
      })();
      return stopped;
    },
  };
}
