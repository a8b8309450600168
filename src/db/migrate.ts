// Applies prisma/migrations to a database without the `prisma migrate` CLI
// (it needs a native engine binary that is not available here). Progress is
// recorded in `_prisma_migrations` with Prisma's own table, checksums and
// timestamp format, so Prisma's migrate commands accept the database (the
// tests check this with the engine's diagnoseMigrationHistory).
//
// Layout: the first half is provider-neutral (paths, reading migrations,
// checksums, deciding what is pending); applySqliteMigrations is the SQLite
// runner. A PostgreSQL runner can reuse the neutral half.

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

// ---------------------------------------------------------------------------
// Provider-neutral part
// ---------------------------------------------------------------------------

/**
 * `prisma/` of this project. Two levels up from this file both in
 * src/db/migrate.ts (tsx) and in dist/db/migrate.js (tsc output).
 */
const prismaDir = new URL('../../prisma/', import.meta.url);

/** Default migrations directory: <project root>/prisma/migrations. */
export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('migrations', prismaDir));
}

/** Default schema file: <project root>/prisma/schema.prisma. */
export function defaultSchemaPath(): string {
  return fileURLToPath(new URL('schema.prisma', prismaDir));
}

export type Log = (message: string) => void;

/** One `prisma/migrations/<name>/migration.sql` on disk. */
export interface LocalMigration {
  /** Folder name, e.g. `20251125170000_init`; the `migration_name` column. */
  name: string;
  sql: string;
  /** Prisma's checksum of the file: SHA-256 of its bytes, lower-case hex. */
  checksum: string;
}

/** The `_prisma_migrations` columns the runners need. */
export interface MigrationRecord {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Whether a migration still matches the checksum recorded when it was applied.
 * Like Prisma, LF and CRLF versions of the same script match, since git may
 * rewrite line endings on checkout.
 */
export function checksumMatches(migration: LocalMigration, recorded: string): boolean {
  if (migration.checksum === recorded) return true;
  const lf = migration.sql.replaceAll('\r\n', '\n');
  const crlf = migration.sql.replaceAll('\n', '\r\n');
  return sha256Hex(lf) === recorded || sha256Hex(crlf) === recorded;
}

/**
 * All migrations under `migrationsDir`, in folder-name order (the order Prisma
 * applies them). A missing directory means no migrations yet.
 */
export function readMigrations(migrationsDir: string): LocalMigration[] {
  if (!existsSync(migrationsDir)) return [];
  const names = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(); // code-unit order; the timestamp prefix makes it chronological
  return names.map((name) => {
    const file = path.join(migrationsDir, name, 'migration.sql');
    if (!existsSync(file)) {
      throw new Error(`Migration folder ${name} has no migration.sql (${file}).`);
    }
    const bytes = readFileSync(file);
    return { name, sql: bytes.toString('utf8'), checksum: sha256Hex(bytes) };
  });
}

/**
 * The local migrations that still have to run, given the rows already in
 * `_prisma_migrations`. Throws, as `prisma migrate deploy` would refuse to
 * continue, when an applied migration was edited or a previous attempt failed.
 */
export function pendingMigrations(local: LocalMigration[], records: MigrationRecord[], log: Log): LocalMigration[] {
  const live = records.filter((r) => r.rolled_back_at === null);
  const failed = live.filter((r) => r.finished_at === null);
  if (failed.length > 0) {
    const names = failed.map((r) => r.migration_name).join(', ');
    throw new Error(
      `Migration(s) ${names} started but never finished in this database (a failed \`prisma migrate deploy\`?). ` +
        'Fix the database, then mark them with `prisma migrate resolve`.',
    );
  }

  const appliedByName = new Map(live.map((r) => [r.migration_name, r]));
  const localNames = new Set(local.map((m) => m.name));
  for (const name of appliedByName.keys()) {
    if (!localNames.has(name)) log(`warning: migration ${name} is recorded in the database but missing from disk`);
  }

  const pending: LocalMigration[] = [];
  for (const migration of local) {
    const record = appliedByName.get(migration.name);
    if (!record) {
      pending.push(migration);
    } else if (!checksumMatches(migration, record.checksum)) {
      throw new Error(
        `Migration ${migration.name} was modified after it was applied: its migration.sql has checksum ` +
          `${migration.checksum}, the database recorded ${record.checksum}. Restore the file and put the ` +
          'change in a new migration (npm run db:migration -- <name>).',
      );
    }
  }
  return pending;
}

// ---------------------------------------------------------------------------
// SQLite runner
// ---------------------------------------------------------------------------

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

const BUSY_TIMEOUT_MS = 10_000;

/** Runs `fn` again while SQLite answers SQLITE_BUSY, for up to BUSY_TIMEOUT_MS. */
function retryWhileBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
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
    // Wait (up to 10 s) for another process holding the lock, instead of failing
    // with SQLITE_BUSY.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
