// The bench's knobs, read from the environment once (see the header of
// bench/run.ts for what each one means).
import { randomBytes } from 'node:crypto';
import { parsePostgresUrl } from '../src/db/postgresql.js';

export type Backend = 'sqlite' | 'postgresql';
export const LABEL: Record<Backend, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL + Redis' };

/** A knob the bench cannot run with; main prints it and exits 2. */
export class SettingsError extends Error {}

export interface Settings {
  backends: Backend[];
  /** Seconds per load scenario; main settles it once it knows whether PostgreSQL + Redis answer. */
  duration: number;
  connections: number;
  /** Seconds of unmeasured load before each scenario (JIT, caches). */
  warmup: number;
  users: number;
  messages: number;
  subscribers: number;
  fanOutMessages: number;
  /** S5: graphql-ws clients subscribed to messageCreated while the 90/10 mix runs. */
  mixedSubscribers: number;
  /** S6: logins kept in flight during the storm (the hash pool queues them; PASSWORD_HASH_QUEUE is 64). */
  stormInFlight: number;
  /** S6: users registered at cost 12 that the storm logs in as (one per in-flight login, round robin). */
  stormUsers: number;
  /** C1-C4 (conversations.ts), on each backend that runs; null when BENCH_CONVERSATIONS=0. */
  conversations: ConversationSettings | null;
  /** The PostgreSQL + Redis run gets its own schema and key prefix, so concurrent test runs are not disturbed. */
  postgres: {
    /** Without `?schema=`: for the checks and the final DROP SCHEMA. */
    adminUrl: string;
    schema: string;
    /** The server's DATABASE_URL. */
    url: string;
    poolSize: number;
  };
  redis: { url: string; prefix: string };
}

/** The sizes of the conversation scenarios (the figures; see conversations.ts). */
export interface ConversationSettings {
  /** C2: conversations the viewer is a member of. */
  viewerConversations: number;
  /** C2: messages by others in each of them but one... */
  smallMessages: number;
  /** ...and in that one (inserted directly: through the API it would take minutes). */
  bigMessages: number;
  /** C3: members of the channel, each with a live events(conversationId:) subscription. */
  fanOutMembers: number;
  /** C4: events missed while disconnected, then replayed from the cursor... */
  replayEvents: number;
  /** ...this many times (the median is reported). */
  replayRounds: number;
}

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 && process.env[name] !== '' ? value : fallback;
};

function parseBackends(): Backend[] {
  const raw = process.env.BENCH_BACKENDS?.trim() || 'sqlite,postgresql';
  const aliases: Record<string, Backend> = { sqlite: 'sqlite', postgresql: 'postgresql', postgres: 'postgresql', pg: 'postgresql' };
  const chosen = new Set<Backend>();
  for (const name of raw.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
    const backend = aliases[name];
    if (!backend) {
      throw new SettingsError(`BENCH_BACKENDS: unknown backend "${name}" (expected a comma-separated list of sqlite, postgresql)`);
    }
    chosen.add(backend);
  }
  // Always SQLite first: its section and floors print as they always have.
  return (['sqlite', 'postgresql'] as const).filter((backend) => chosen.has(backend));
}

/**
 * Seconds per scenario unless BENCH_DURATION says: 8 for one backend; two
 * would take ~2.5 min at 8 s, so 5 s keeps the run under ~2 min.
 */
export const durationFor = (backendCount: number) => envNumber('BENCH_DURATION', backendCount > 1 ? 5 : 8);

export function loadSettings(): Settings {
  const backends = parseBackends();
  const runId = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const target = parsePostgresUrl(process.env.BENCH_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/test');
  const schema = `bench_${runId}`;
  const url = new URL(target.connectionString);
  url.searchParams.set('schema', schema);
  return {
    backends,
    duration: durationFor(backends.length),
    connections: envNumber('BENCH_CONNECTIONS', 10),
    warmup: 1,
    users: 20,
    messages: 2000,
    subscribers: envNumber('BENCH_SUBSCRIBERS', 50),
    fanOutMessages: 200,
    mixedSubscribers: 200,
    stormInFlight: 8,
    stormUsers: 8,
    conversations:
      process.env.BENCH_CONVERSATIONS === '0'
        ? null
        : { viewerConversations: 50, smallMessages: 20, bigMessages: 100_000, fanOutMembers: 100, replayEvents: 1000, replayRounds: 3 },
    postgres: { adminUrl: target.connectionString, schema, url: url.toString(), poolSize: envNumber('DATABASE_POOL_SIZE', 10) },
    redis: { url: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', prefix: `bench:${runId}:` },
  };
}

/** Each data-layer floor loop runs this long (after a short warm-up). */
export const floorSeconds = (settings: Settings) => Math.max(1, settings.duration * 0.4);
