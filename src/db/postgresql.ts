// PostgreSQL: connection settings, the migration runner and the Prisma client
// over @prisma/adapter-pg. Selected by DATABASE_URL=postgresql://...
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { pendingMigrations, readMigrations, type Log, type MigrationRecord } from './migrations.js';

export interface PostgresTarget {
  /** The URL without Prisma's `schema` parameter (pg does not know it). */
  connectionString: string;
  /** The PostgreSQL schema (namespace) the tables live in. */
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Reads Prisma's `?schema=` convention (default `public`). */
export function parsePostgresUrl(url: string): PostgresTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`DATABASE_URL: schema must match ${SCHEMA_NAME}, got "${schema}"`);
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/**
 * Both settings are needed outside `public`: `{ schema }` makes the client
 * qualify table names; search_path serves unqualified SQL (migrations, the
 * few raw queries, and the schema engine's `_prisma_migrations` reads).
 */
export function postgresAdapter(target: PostgresTarget, poolSize: number): PrismaPg {
  return new PrismaPg(
    { connectionString: target.connectionString, max: poolSize, options: `-c search_path=${target.schema}` },
    { schema: target.schema },
  );
}

export const defaultPostgresMigrationsDir = () =>
  fileURLToPath(new URL('../../prisma/postgresql/migrations', import.meta.url));

/** Prisma's own DDL for the history table on PostgreSQL (schema engine, flavour/postgres.rs). */
const CREATE_POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

/** The advisory lock key `prisma migrate` takes, so this runner and the CLI exclude each other too. */
const PRISMA_MIGRATE_LOCK = 72707369;

/**
 * Applies pending migrations in one transaction under Prisma's advisory lock:
 * instances starting together queue on the lock, and a later one finds the
 * work done. Returns the names applied.
 */
export async function applyPostgresMigrations(
  target: PostgresTarget,
  migrationsDir: string = defaultPostgresMigrationsDir(),
  log: Log = () => {},
): Promise<string[]> {
  const migrations = readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: target.connectionString, options: `-c search_path=${target.schema}` });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
      await client.query(CREATE_POSTGRES_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRecord>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
      );
      const pending = pendingMigrations(migrations, rows, log);
      for (const migration of pending) {
        const startedAt = new Date();
        try {
          await client.query(migration.sql); // simple protocol: several statements at once
        } catch (error) {
          throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
        }
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        log(`applied migration ${migration.name}`);
      }
      await client.query('COMMIT');
      return pending.map((m) => m.name);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}
