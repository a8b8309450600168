// PostgreSQL specifics: migrations under the advisory lock, the drift check
// against a live database, and the types and indexes PostgreSQL gets.
// Runs in the PostgreSQL pass of `npm test`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import path from 'node:path';
import pg from 'pg';
import { readMigrations } from '../../src/db/migrations.js';
import { applyPostgresMigrations, defaultPostgresMigrationsDir, parsePostgresUrl, postgresAdapter, type PostgresTarget } from '../../src/db/postgresql.js';
import { diagnoseMigrationHistory, diffDatabaseToSchema, isEmptyMigration, readSchemaFile } from '../../scripts/schema-engine.js';
import { toPostgresqlSchema } from '../../scripts/postgresql-schema.js';
import { readFileSync } from 'node:fs';
import { TEST_POSTGRES_URL } from '../support/database.js';

const schemaPath = path.resolve('prisma/postgresql/schema.prisma');
const migrationNames = readMigrations(defaultPostgresMigrationsDir()).map((m) => m.name);
const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
const targets: PostgresTarget[] = [];

function freshTarget(): PostgresTarget {
  const target = { ...parsePostgresUrl(TEST_POSTGRES_URL), schema: `pgtest_${randomBytes(4).toString('hex')}` };
  targets.push(target);
  return target;
}

const query = async (target: PostgresTarget, sql: string, params: unknown[] = []) => {
  await admin.query(`SET search_path TO "${target.schema}"`);
  return (await admin.query(sql, params)).rows;
};

before(() => admin.connect());
after(async () => {
  for (const target of targets) await admin.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`);
  await admin.end();
});

test('the PostgreSQL schema is the generated twin of prisma/schema.prisma', () => {
  const twin = toPostgresqlSchema(readFileSync('prisma/schema.prisma', 'utf8'));
  assert.equal(readFileSync(schemaPath, 'utf8'), twin, 'run npm run codegen');
});

test('migrations produce exactly the PostgreSQL schema (drift check on a live database)', async () => {
  const target = freshTarget();
  assert.deepEqual(await applyPostgresMigrations(target), migrationNames);
  const schema = await readSchemaFile(schemaPath);
  const drift = await diffDatabaseToSchema(postgresAdapter(target, 2), schema);
  assert.ok(isEmptyMigration(drift), `pending:\n${drift}`);

  // The check has teeth: a missing index shows up as the SQL to recreate it.
  await query(target, 'DROP INDEX "Message_authorId_conversationId_createdAt_id_idx"');
  const repair = await diffDatabaseToSchema(postgresAdapter(target, 2), schema);
  assert.match(repair, /CREATE INDEX "Message_authorId_conversationId_createdAt_id_idx"/);

  // Prisma's engine accepts the recorded history as its own.
  const diagnosis = await diagnoseMigrationHistory(
    postgresAdapter(target, 2),
    schema,
    defaultPostgresMigrationsDir(),
    readMigrations(defaultPostgresMigrationsDir()),
  );
  assert.deepEqual(diagnosis.failedMigrationNames, []);
  assert.deepEqual(diagnosis.editedMigrationNames, []);
  assert.equal(diagnosis.hasMigrationsTable, true);
});

test('instances migrating at once: one applies, the others find the work done', async () => {
  const target = freshTarget();
  const results = await Promise.all([1, 2, 3, 4].map(() => applyPostgresMigrations(target)));
  assert.equal(results.filter((applied) => applied.length > 0).length, 1);
  const rows = await query(target, 'SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
  assert.deepEqual(rows.map((row) => row.migration_name), migrationNames);
});

test('PostgreSQL types and indexes: timestamptz, unique username key, pagination indexes', async () => {
  const target = freshTarget();
  await applyPostgresMigrations(target);
  const columns = await query(
    target,
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = $1 AND data_type LIKE 'timestamp%'`,
    [target.schema],
  );
  assert.ok(columns.length >= 8);
  for (const column of columns) assert.equal(column.data_type, 'timestamp with time zone', `${column.table_name}.${column.column_name}`);

  const indexes = await query(target, 'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1', [target.schema]);
  const byName = new Map(indexes.map((row) => [row.indexname, row.indexdef as string]));
  assert.match(byName.get('User_usernameKey_key') ?? '', /UNIQUE/);
  assert.match(byName.get('Message_conversationId_createdAt_id_authorId_idx') ?? '', /"conversationId", "createdAt" DESC, id DESC, "authorId"/);
  assert.match(byName.get('Message_authorId_conversationId_createdAt_id_idx') ?? '', /"authorId", "conversationId", "createdAt" DESC, id DESC/);
  assert.match(byName.get('Message_authorId_clientMessageId_key') ?? '', /UNIQUE/);

  // The keyset page queries (an author's public messages; the public
  // timeline) are answered from the indexes.
  await admin.query(`SET search_path TO "${target.schema}"`);
  await admin.query('SET enable_seqscan = off');
  const explain = async (sql: string) => (await admin.query(`EXPLAIN ${sql}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
  const byAuthor = await explain(`SELECT id FROM "Message" WHERE "authorId" = 'a' AND "conversationId" IS NULL AND "createdAt" <= now()
     ORDER BY "createdAt" DESC, id DESC LIMIT 21`);
  const timeline = await explain(`SELECT id FROM "Message" WHERE "conversationId" IS NULL ORDER BY "createdAt" DESC, id DESC LIMIT 21`);
  await admin.query('RESET enable_seqscan');
  assert.match(byAuthor, /Index.*Message_authorId_conversationId_createdAt_id_idx/);
  assert.match(timeline, /Index.*Message_conversationId_createdAt_id_authorId_idx/);
});
