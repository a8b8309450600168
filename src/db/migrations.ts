// The provider-neutral part of applying prisma/migrations without the
// `prisma migrate` CLI (it needs a native engine binary that is not available
// here): default paths, reading migration folders, Prisma's checksums, and
// deciding what is pending. The runners are sqlite.ts and postgresql.ts; they
// record progress in `_prisma_migrations` with Prisma's own table, checksums
// and timestamp format, so Prisma's migrate commands accept the database (the
// tests check this with the engine's diagnoseMigrationHistory).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `prisma/` of this project. Two levels up from this file both in
 * src/db/migrations.ts (tsx) and in dist/db/migrations.js (tsc output).
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
