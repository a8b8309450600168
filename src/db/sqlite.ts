// SQLite: the migration runner (prisma/migrations applied with better-sqlite3,
// recorded in `_prisma_migrations` as `prisma migrate deploy` would) and the
// busy timeout that both it and the app's Prisma client use.

import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { defaultMigrationsDir, pendingMigrations, readMigrations, type LocalMigration, type Log, type MigrationRecord } from './migrations.js';

/**
 * Prisma's DDL for the history table on SQLite, verbatim from the schema engine
 * (sql-schema-connector, flavour/sqlite.rs, `create_migrations_table`; the same
 * text is embedded in @prisma/schema-engine-wasm's .wasm).
 */
const CREATE_SQLITE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
`;

/**
 * How long a connection waits for another one's lock before SQLITE_BUSY: the
 * migration runner's busy_timeout and the app client's `timeout`.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** WAL pages (4 KiB each) after which a commit checkpoints; SQLite's default is 1,000 (db/client.ts says why). */
export const SQLITE_WAL_CHECKPOINT_PAGES = 10_000;

/** Runs `fn` again while SQLite answers SQLITE_BUSY, for up to SQLITE_BUSY_TIMEOUT_MS. */
function retryWhileBusy<T>(fn: () => T): T {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40); // synchronous sleep
    }
  }
}

/**
 * Applies the pending migrations of `migrationsDir` to the SQLite file `dbFile`
 * (created if missing) and returns their names, in order.
 *
 * Everything happens in one BEGIN IMMEDIATE transaction: the write lock is
 * taken before `_prisma_migrations` is read, so processes starting together
 * queue on it (up to busy_timeout) and a later one sees the earlier one's rows
 * and applies nothing. Any failure rolls back every migration of this call.
 * Synchronous, like better-sqlite3; awaiting the result is harmless.
 */
export function applySqliteMigrations(
  dbFile: string,
  migrationsDir: string = defaultMigrationsDir(),
  log: Log = () => {},
): string[] {
  const migrations = readMigrations(migrationsDir); // before locking: file I/O needs no lock
  const db = new Database(dbFile);
  try {
    // Wait (up to SQLITE_BUSY_TIMEOUT_MS) for another process holding the
    // lock, instead of failing with SQLITE_BUSY.
    db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // Switching a new file to WAL needs an exclusive lock. When two processes
    // switch at once, SQLite fails one of them with SQLITE_BUSY at once (the
    // busy timeout would deadlock them: each holds a shared lock), so retry.
    retryWhileBusy(() => db.pragma('journal_mode = WAL'));
    // Foreign keys OFF on this connection only (the setting is per connection;
    // the app's own connection turns them on). SQLite ignores
    // `PRAGMA foreign_keys` inside a transaction, so the `PRAGMA foreign_keys=OFF`
    // that Prisma puts around table redefinitions would be a no-op, and the
    // `DROP TABLE` of a redefined parent table would then run its ON DELETE
    // CASCADE actions and delete child rows (tested). SQLite's documented
    // procedure for schema changes: keys off, change, `PRAGMA foreign_key_check`
    // (done in applyPending), commit.
    db.pragma('foreign_keys = OFF');

    return db.transaction(() => applyPending(db, migrations, log)).immediate();
  } finally {
    db.close();
  }
}

function applyPending(db: Database.Database, migrations: LocalMigration[], log: Log): string[] {
  const hasTable = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`)
    .get();
  if (!hasTable) db.exec(CREATE_SQLITE_MIGRATIONS_TABLE);

  const records = db
    .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"')
    .all() as MigrationRecord[];
  const pending = pendingMigrations(migrations, records, log);

  const record = db.prepare(
    `INSERT INTO "_prisma_migrations"
       (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
     VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
  );
  for (const migration of pending) {
    // Prisma stores DateTime values on SQLite as Unix milliseconds (quaint's
    // sqlite conversion); `prisma migrate deploy` reads them back that way.
    const startedAt = Date.now();
    try {
      db.exec(migration.sql);
    } catch (error) {
      throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
    record.run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
    log(`applied migration ${migration.name}`);
  }

  if (pending.length > 0) {
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new Error(
        `Migrations left ${violations.length} foreign key violation(s), first: ${JSON.stringify(violations[0])}`,
      );
    }
  }
  return pending.map((m) => m.name);
}
