// The one place that knows which database the server runs on. Domain modules
// receive a `Db` (a Prisma client) and never see the provider.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

/**
 * The SQLite client's type. The PostgreSQL client is generated from a twin of
 * the same models (scripts/postgresql-schema.ts), so it has the same API.
 */
export type Db = PrismaClient;

export interface Database {
  db: Db;
  provider: Config['database']['provider'];
  /** True when the database answers a trivial query. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called with each SQL statement Prisma sends and how long it took (the metrics; tests count them). */
  onQuery?: (sql: string, durationMs: number) => void;
}

interface ClientOptions {
  adapter: unknown;
  log: Array<{ emit: 'event'; level: 'query' }>;
}

export async function openDatabase(config: Config, log: Logger, options: DatabaseOptions = {}): Promise<Database> {
  const logMigrations = (applied: string[]) => {
    if (applied.length > 0) log.info({ migrations: applied }, 'applied database migrations');
  };
  // Each provider's client and adapter are loaded only when used.
  let db: Db;
  if (config.database.provider === 'sqlite') {
    const file = resolve(config.database.file);
    mkdirSync(dirname(file), { recursive: true });
    const { applySqliteMigrations, SQLITE_BUSY_TIMEOUT_MS, SQLITE_WAL_CHECKPOINT_PAGES } = await import('./sqlite.js');
    logMigrations(applySqliteMigrations(file));
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    const { PrismaClient } = await import('../generated/prisma/client.js');
    const { wrapAdapterFactory } = await import('./statementCache.js');
    const adapter = wrapAdapterFactory(new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS }));
    db = new PrismaClient(clientOptions(adapter, options) as never);
    // Per-connection settings. WAL (set by the migration runner, persistent in
    // the file) + synchronous=NORMAL keeps committed data across a process
    // crash and roughly triples write throughput over the default FULL.
    await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
    await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
    // A checkpoint (copying the WAL's pages back into the file, then an fsync)
    // runs inside the commit that crosses the threshold and blocks the event
    // loop meanwhile. Each commit of a message rewrites the same few pages (the
    // table's and its indexes' last leaves); a checkpoint copies each page
    // once however often the WAL holds it, so a larger WAL (at most ~40 MB
    // instead of 4) does far less copying per row: createMessage's SQLite time
    // per row 54-70 -> 37-39 µs (bench/sqliteInserts.ts).
    await db.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${SQLITE_WAL_CHECKPOINT_PAGES}`);
  } else {
    const { applyPostgresMigrations, parsePostgresUrl, postgresAdapter } = await import('./postgresql.js');
    const target = parsePostgresUrl(config.database.url);
    logMigrations(await applyPostgresMigrations(target));
    const { PrismaClient } = await import('../generated/prisma-postgresql/client.js');
    db = new PrismaClient(clientOptions(postgresAdapter(target, config.database.poolSize), options) as never) as unknown as Db;
  }

  if (options.onQuery) {
    const onQuery = options.onQuery;
    (db as unknown as { $on(event: 'query', cb: (e: { query: string; duration: number }) => void): void }).$on('query', (e) => onQuery(e.query, e.duration));
  }

  return {
    db,
    provider: config.database.provider,
    async isReady() {
      try {
        await db.$queryRawUnsafe('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.$disconnect(),
  };
}

function clientOptions(adapter: unknown, options: DatabaseOptions): ClientOptions {
  return { adapter, log: options.onQuery ? [{ emit: 'event', level: 'query' }] : [] };
}
