// Environment parsed and validated once at start. Everything else reads the
// typed `Config`, never process.env, so a bad value stops the server before
// it listens, with one line naming the variable.
import bytes from 'bytes';
import { z } from 'zod';

const DEV_JWT_SECRET = 'development-only-secret-do-not-use-in-production!';

/** "15m", "30d", "3600s", "2h" or plain seconds -> seconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : null;
}

/** A duration in seconds; with `allowZero`, "0" turns a feature off. */
const duration = (fallback: string, { allowZero = false } = {}) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      if (allowZero && /^0+\s*(s|m|h|d)?$/.test(value.trim())) return 0;
      const seconds = parseDuration(value);
      if (seconds === null) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 15m, 30d or 3600s, got "${value}"` });
        return z.NEVER;
      }
      return seconds;
    });

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

/** true/false, or undefined to let NODE_ENV decide. */
const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((value) => (value === undefined ? undefined : ['true', '1', 'yes'].includes(value)));

const size = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const parsed = /^\d+\s*(b|kb|mb)?$/i.test(value.trim()) ? bytes.parse(value) : null;
      if (parsed === null || parsed <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a size like 100kb, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(4000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('file:./data/messaging.db')
    .refine((url) => url.startsWith('file:') || /^postgres(ql)?:\/\//.test(url), {
      message: 'expected file:<path> (SQLite) or postgresql://... (PostgreSQL)',
    }),
  DATABASE_POOL_SIZE: int(10, 1, 1000),
  JWT_SECRET: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('messaging-api'),
  JWT_AUDIENCE: z.string().min(1).default('messaging-api'),
  BCRYPT_ROUNDS: int(12, 4, 15),
  ACCESS_TOKEN_TTL: duration('15m'),
  REFRESH_TOKEN_TTL: duration('30d'),
  REFRESH_REUSE_GRACE: duration('10s', { allowZero: true }),
  SESSION_CHECK_TTL: duration('30s'),
  EVENT_RETENTION: duration('7d'),
  CORS_ORIGINS: z.string().optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port').optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,64}$/, 'expected letters, digits, _ : . -').default('messaging:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().regex(/^https?:\/\/\S+$/, 'expected http://host:4318').optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_SERVICE_NAME: z.string().min(1).default('messaging-api'),
  BODY_LIMIT: size('100kb'),
  TRUST_PROXY: bool(false),
  SHUTDOWN_TIMEOUT: duration('8s'),
  SHUTDOWN_DELAY: z
    .string()
    .regex(/^\d+(ms|s)?$/, 'expected a delay like 0, 500ms or 5s')
    .default('0')
    .transform((value) => (value.endsWith('ms') ? Number(value.slice(0, -2)) : Number(value.replace('s', '')) * 1000)),
  GRAPHQL_MAX_DEPTH: int(10, 1, 100),
  GRAPHQL_MAX_ALIASES: int(15, 0, 1000),
  GRAPHQL_MAX_DIRECTIVES: int(20, 0, 1000),
  GRAPHQL_MAX_TOKENS: int(2000, 10, 1_000_000),
  GRAPHQL_MAX_COST: int(20_000, 10, 10_000_000),
  GRAPHQL_MAX_EXPENSIVE_FIELDS: int(1, 1, 100),
  GRAPHQL_INTROSPECTION: optionalBool,
  GRAPHQL_LANDING_PAGE: z.enum(['sandbox', 'production', 'off']).optional(),
  TRUSTED_DOCUMENTS: z.enum(['allow', 'only']).default('allow'),
  APP_PAGE: z.enum(['on', 'off']).optional(),
  WS_MAX_PAYLOAD: size('100kb'),
  WS_INIT_TIMEOUT: duration('10s'),
  WS_MAX_SUBSCRIPTIONS: int(20, 1, 10_000),
  WS_MAX_CONNECTIONS_PER_IP: int(100, 1, 1_000_000),
  WS_MAX_CONNECTIONS_PER_USER: int(20, 1, 1_000_000),
  WS_ANONYMOUS_IDLE_TIMEOUT: duration('30s'),
  GRAPHQL_MAX_NODES: int(2_000, 1, 10_000_000),
  JSON_MAX_DEPTH: int(64, 8, 10_000),
  HTTP_HEADERS_TIMEOUT: duration('10s'),
  HTTP_REQUEST_TIMEOUT: duration('30s'),
  HTTP_IDLE_TIMEOUT: duration('75s'),
  PASSWORD_HASH_THREADS: int(1, 1, 64),
  PASSWORD_HASH_QUEUE: int(64, 1, 100_000),
  RATE_LIMIT_LOGIN_PER_USERNAME: int(10, 1, 1_000_000),
  RATE_LIMIT_LOGIN_PER_IP: int(100, 1, 1_000_000),
  RATE_LIMIT_REGISTER_PER_IP: int(30, 1, 1_000_000),
  RATE_LIMIT_REFRESH_PER_IP: int(300, 1, 1_000_000),
  RATE_LIMIT_LOGIN_SLOW_AFTER: int(100, 1, 1_000_000),
  RATE_LIMIT_LOGIN_MAX_DELAY: duration('10s'),
  RATE_LIMIT_WINDOW: duration('15m'),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const warnings: string[] = [];

  let jwtSecret = e.JWT_SECRET;
  if (jwtSecret === undefined) {
    if (production) throw new ConfigError('Invalid environment variable JWT_SECRET: required when NODE_ENV=production');
    warnings.push('JWT_SECRET is not set: using a development secret. Never do this in production.');
    jwtSecret = DEV_JWT_SECRET;
  }
  if (Buffer.byteLength(jwtSecret, 'utf8') < 32) {
    throw new ConfigError('Invalid environment variable JWT_SECRET: must be at least 32 bytes');
  }

  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid environment variable METRICS_PORT: must differ from PORT');
  }
  if (production && e.LOG_FORMAT === 'pretty') warnings.push('LOG_FORMAT=pretty is ignored in production: logs are JSON lines.');
  if (production && e.METRICS_TOKEN === undefined && e.METRICS_PORT === undefined) {
    warnings.push('/metrics is served on the API port without METRICS_TOKEN: anyone who reaches the API can read it. Set METRICS_TOKEN or METRICS_PORT.');
  }

  const database = e.DATABASE_URL.startsWith('file:')
    ? ({ provider: 'sqlite', file: e.DATABASE_URL.slice('file:'.length) } as const)
    : ({ provider: 'postgresql', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE } as const);
  if (database.provider === 'sqlite' && database.file === '') {
    throw new ConfigError('Invalid environment variable DATABASE_URL: file: needs a path, e.g. file:./data/messaging.db');
  }

  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
    database,
    jwt: {
      secret: new TextEncoder().encode(jwtSecret),
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL,
      refreshTtlSeconds: e.REFRESH_TOKEN_TTL,
      refreshGraceSeconds: e.REFRESH_REUSE_GRACE,
      sessionCheckTtlSeconds: e.SESSION_CHECK_TTL,
    },
    /** How far back events(after:) can replay; older history is pruned. */
    eventRetentionSeconds: e.EVENT_RETENTION,
    bcryptRounds: e.BCRYPT_ROUNDS,
    corsOrigins: e.CORS_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean) ?? null,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : null,
    logLevel: e.LOG_LEVEL,
    /** JSON lines, except in development on a terminal (or LOG_FORMAT=pretty); always JSON in production. */
    logFormat: (production ? 'json' : (e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty-on-tty' : 'json'))) as 'json' | 'pretty' | 'pretty-on-tty',
    metrics: {
      /** When set, /metrics answers only `Authorization: Bearer <token>`. */
      token: e.METRICS_TOKEN ?? null,
      /** When set, /metrics is served on this port only (0: any free port), not on the API's. */
      port: e.METRICS_PORT ?? null,
    },
    /** OpenTelemetry traces to an OTLP/HTTP collector; off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL, serviceName: e.OTEL_SERVICE_NAME }
      : null,
    bodyLimitBytes: e.BODY_LIMIT,
    operationLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST,
      maxExpensiveFields: e.GRAPHQL_MAX_EXPENSIVE_FIELDS,
      maxNodes: e.GRAPHQL_MAX_NODES,
    },
    jsonMaxDepth: e.JSON_MAX_DEPTH,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT * 1000,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT * 1000,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT * 1000,
    },
    passwordHashing: {
      rounds: e.BCRYPT_ROUNDS,
      threads: e.PASSWORD_HASH_THREADS,
      maxQueue: e.PASSWORD_HASH_QUEUE,
    },
    introspection: e.GRAPHQL_INTROSPECTION ?? !production,
    landingPage: e.GRAPHQL_LANDING_PAGE ?? (production ? 'production' : 'sandbox'),
    /** only: nothing runs but the client manifest's documents (src/graphql/trustedDocuments.ts). */
    trustedDocuments: e.TRUSTED_DOCUMENTS,
    /** The chat page at /app (web/dist); opt-in in production, where the API may be all that is wanted. */
    appPage: e.APP_PAGE === undefined ? !production : e.APP_PAGE === 'on',
    webSocket: {
      maxPayloadBytes: e.WS_MAX_PAYLOAD,
      initTimeoutMs: e.WS_INIT_TIMEOUT * 1000,
      maxSubscriptions: e.WS_MAX_SUBSCRIPTIONS,
      maxConnectionsPerIp: e.WS_MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      anonymousIdleTimeoutMs: e.WS_ANONYMOUS_IDLE_TIMEOUT * 1000,
    },
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT * 1000,
    shutdownDelayMs: e.SHUTDOWN_DELAY,
    rateLimits: {
      windowSeconds: e.RATE_LIMIT_WINDOW,
      /** Failed logins per (username, client address): a hard refusal past it. */
      loginPerUsername: e.RATE_LIMIT_LOGIN_PER_USERNAME,
      /** Failed logins per username from anywhere before each attempt is delayed (never refused). */
      loginSlowAfter: e.RATE_LIMIT_LOGIN_SLOW_AFTER,
      loginMaxDelayMs: e.RATE_LIMIT_LOGIN_MAX_DELAY * 1000,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      registerPerIp: e.RATE_LIMIT_REGISTER_PER_IP,
      refreshPerIp: e.RATE_LIMIT_REFRESH_PER_IP,
    },
    warnings,
  };
}
