// Migrations and the schema engine, on real SQLite files in the temp directory.
// Run: node --import tsx --test tests/sqlite/db.test.ts

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { defaultMigrationsDir, defaultSchemaPath, readMigrations } from '../../src/db/migrations.js';
import { applySqliteMigrations } from '../../src/db/sqlite.js';
import {
  diagnoseMigrationHistory,
  diffDatabaseToSchema,
  isEmptyMigration,
  migrationScriptFromEmpty,
  readSchemaFile,
} from '../../scripts/schema-engine.js';

const migrationNames = readMigrations(defaultMigrationsDir()).map((m) => m.name);

/** A fresh directory in os.tmpdir(), removed when the test ends. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'db-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of prisma/migrations that a test may edit. */
function copyOfMigrations(dir: string): string {
  const copy = path.join(dir, 'migrations');
  cpSync(defaultMigrationsDir(), copy, { recursive: true });
  return copy;
}

function migrationRows(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT * FROM "_prisma_migrations" ORDER BY migration_name').all() as Array<{
      id: string;
      checksum: string;
      finished_at: number | null;
      migration_name: string;
      logs: string | null;
      rolled_back_at: number | null;
      started_at: number;
      applied_steps_count: number;
    }>;
  } finally {
    db.close();
  }
}

test('there is at least one migration', () => {
  assert.ok(migrationNames.length > 0, 'run: npm run db:migration -- init');
});

test('migrations produce exactly prisma/schema.prisma (drift check)', async (t) => {
  const dbFile = path.join(tempDir(t), 'drift.db');
  applySqliteMigrations(dbFile);
  const adapter = new PrismaBetterSqlite3({ url: dbFile });
  const schema = await readSchemaFile(defaultSchemaPath());

  const drift = await diffDatabaseToSchema(adapter, schema);
  assert.ok(
    isEmptyMigration(drift),
    `schema.prisma has changes no migration covers; run npm run db:migration -- <name>. Pending:\n${drift}`,
  );

  // The check has teeth: a schema edit without a migration shows up.
  const edited = schema.content.replace(/^model User \{$/m, 'model User {\n  bio String?');
  assert.notEqual(edited, schema.content);
  const pending = await diffDatabaseToSchema(adapter, { ...schema, content: edited });
  assert.ok(!isEmptyMigration(pending));
  assert.match(pending, /ALTER TABLE "User" ADD COLUMN "bio" TEXT/);
});

test('migrationScriptFromEmpty writes the whole schema', async (t) => {
  const adapter = new PrismaBetterSqlite3({ url: path.join(tempDir(t), 'unused.db') });
  const sql = await migrationScriptFromEmpty(adapter, await readSchemaFile(defaultSchemaPath()));
  for (const table of ['User', 'Message', 'Session', 'RefreshToken', 'Conversation', 'Membership', 'ConversationEvent']) {
    assert.match(sql, new RegExp(`CREATE TABLE "${table}"`));
  }
  assert.match(sql, /CREATE INDEX "Message_conversationId_createdAt_id_authorId_idx" ON "Message"\("conversationId", "createdAt" DESC, "id" DESC, "authorId"\)/);
  assert.equal(isEmptyMigration(sql), false);
  assert.equal(isEmptyMigration('-- This is an empty migration.'), true);
});

test('applying twice applies nothing the second time; history rows match Prisma', async (t) => {
  const dbFile = path.join(tempDir(t), 'twice.db');
  assert.deepEqual(applySqliteMigrations(dbFile), migrationNames);
  assert.deepEqual(applySqliteMigrations(dbFile), []);

  const rows = migrationRows(dbFile);
  assert.deepEqual(
    rows.map((r) => r.migration_name),
    migrationNames,
  );
  for (const row of rows) {
    const file = path.join(defaultMigrationsDir(), row.migration_name, 'migration.sql');
    assert.equal(row.checksum, createHash('sha256').update(readFileSync(file)).digest('hex'));
    assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(typeof row.finished_at, 'number'); // Unix ms, as Prisma writes on SQLite
    assert.ok(row.started_at <= row.finished_at!);
    assert.equal(row.applied_steps_count, 1);
    assert.equal(row.logs, null);
    assert.equal(row.rolled_back_at, null);
  }

  const db = new Database(dbFile, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const ddl = db.prepare(`SELECT sql FROM sqlite_master WHERE name = '_prisma_migrations'`).pluck().get();
  assert.match(String(ddl), /"applied_steps_count"\s+INTEGER UNSIGNED NOT NULL DEFAULT 0/);

  // Prisma's own engine reads our rows: nothing failed, nothing edited, in step.
  const diagnosis = await diagnoseMigrationHistory(
    new PrismaBetterSqlite3({ url: dbFile }),
    await readSchemaFile(defaultSchemaPath()),
    defaultMigrationsDir(),
    readMigrations(defaultMigrationsDir()),
  );
  assert.deepEqual(diagnosis, {
    editedMigrationNames: [],
    failedMigrationNames: [],
    hasMigrationsTable: true,
    history: null,
  });
});

test('two processes migrating the same file at once: each migration recorded once', async (t) => {
  const dir = tempDir(t);
  // Several files raced in a row: one race may happen not to overlap.
  const dbFiles = [1, 2, 3, 4, 5].map((n) => path.join(dir, `race${n}.db`));
  const sqliteModule = new URL('../../src/db/sqlite.ts', import.meta.url).href;
  // Each child loads everything, says "ready", and waits for "go" on stdin, so
  // both call applySqliteMigrations at the same moment rather than one after the
  // other's startup.
  const childCode = `
    import { applySqliteMigrations } from ${JSON.stringify(sqliteModule)};
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => {
      const applied = JSON.parse(process.env.DB_FILES).map((file) => applySqliteMigrations(file));
      process.stdout.write(JSON.stringify(applied) + '\\n');
      process.exit(0);
    });
  `;
  const children = [0, 1].map(() => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childCode], {
      env: { ...process.env, DB_FILES: JSON.stringify(dbFiles) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => stdout.includes('ready\n') && resolve());
      child.on('exit', () => reject(new Error(`child exited before ready: ${stderr}`)));
    });
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, ready, exited };
  });

  await Promise.all(children.map((c) => c.ready));
  for (const { child } of children) child.stdin.write('go\n');
  const results = await Promise.all(children.map((c) => c.exited));

  const appliedByChild = results.map(({ code, stdout, stderr }) => {
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout.split('\n')[1]!) as string[][];
  });
  dbFiles.forEach((dbFile, i) => {
    // For each file, one child applied everything and the other found it done.
    const applied = appliedByChild.flatMap((perFile) => perFile[i]!);
    assert.deepEqual(applied.sort(), migrationNames);
    assert.deepEqual(
      migrationRows(dbFile).map((r) => r.migration_name),
      migrationNames,
    );
  });
});

test('an applied migration that was edited makes migrating fail clearly', (t) => {
  const dir = tempDir(t);
  const migrations = copyOfMigrations(dir);
  const dbFile = path.join(dir, 'edited.db');
  applySqliteMigrations(dbFile, migrations);

  const first = migrationNames[0]!;
  const file = path.join(migrations, first, 'migration.sql');
  const original = readFileSync(file, 'utf8');

  writeFileSync(file, original + '\n-- an innocent-looking edit\n');
  assert.throws(
    () => applySqliteMigrations(dbFile, migrations),
    (error: Error) => error.message.includes(`Migration ${first} was modified after it was applied`),
  );

  // Only line endings changed (git on Windows): accepted, as Prisma does.
  writeFileSync(file, original.replaceAll('\n', '\r\n'));
  assert.deepEqual(applySqliteMigrations(dbFile, migrations), []);
});

test('a failing migration rolls back every migration of the run', (t) => {
  const dir = tempDir(t);
  const migrations = copyOfMigrations(dir);
  mkdirSync(path.join(migrations, '29991231000000_broken'));
  writeFileSync(
    path.join(migrations, '29991231000000_broken', 'migration.sql'),
    'CREATE TABLE "Fine" ("id" TEXT);\nTHIS IS NOT SQL;\n',
  );
  const dbFile = path.join(dir, 'broken.db');

  assert.throws(() => applySqliteMigrations(dbFile, migrations), /Migration 29991231000000_broken failed/);
  const db = new Database(dbFile, { readonly: true });
  t.after(() => db.close());
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
  assert.deepEqual(tables, []); // not even the init migration or _prisma_migrations
});

test('a table redefinition keeps child rows (foreign keys off while migrating)', async (t) => {
  const dir = tempDir(t);
  const migrations = copyOfMigrations(dir);
  const dbFile = path.join(dir, 'redefine.db');
  applySqliteMigrations(dbFile, migrations);

  const db = new Database(dbFile);
  t.after(() => db.close());
  db.exec(`INSERT INTO "User" (id, username, usernameKey, passwordHash) VALUES ('u1', 'Ann', 'ann', 'h');
           INSERT INTO "Message" (id, content, authorId) VALUES ('m1', 'hello', 'u1');`);

  // SQLite cannot relax NOT NULL in place: Prisma redefines "User" (new table,
  // copy, DROP TABLE "User", rename). With foreign keys enforced inside the
  // transaction, that DROP would cascade and delete every message.
  const schema = await readSchemaFile(defaultSchemaPath());
  const relaxed = schema.content.replace(/passwordHash String\b(?!\?)/, 'passwordHash String?');
  const sql = await diffDatabaseToSchema(new PrismaBetterSqlite3({ url: dbFile }), { ...schema, content: relaxed });
  assert.match(sql, /DROP TABLE "User"/);
  mkdirSync(path.join(migrations, '29991231000000_optional_password'));
  writeFileSync(path.join(migrations, '29991231000000_optional_password', 'migration.sql'), sql);

  assert.deepEqual(applySqliteMigrations(dbFile, migrations), ['29991231000000_optional_password']);
  assert.equal(db.prepare('SELECT count(*) FROM "Message"').pluck().get(), 1);
  const passwordHash = (db.pragma('table_info("User")') as Array<{ name: string; notnull: number }>).find(
    (c) => c.name === 'passwordHash',
  );
  assert.equal(passwordHash?.notnull, 0);
});

test('existing messages stay on the public timeline when the conversations migration runs', async (t) => {
  const dir = tempDir(t);
  const dbFile = path.join(dir, 'upgrade.db');
  // The database as the release before conversations left it.
  const before = copyOfMigrations(dir);
  const conversations = migrationNames.find((name) => name.endsWith('_conversations'))!;
  for (const name of migrationNames.slice(migrationNames.indexOf(conversations))) rmSync(path.join(before, name), { recursive: true });
  applySqliteMigrations(dbFile, before);
  const db = new Database(dbFile);
  db.prepare(`INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash") VALUES ('u1', 'old', 'old', 'x')`).run();
  db.prepare(`INSERT INTO "Message" ("id", "content", "authorId", "createdAt", "updatedAt", "edited") VALUES ('m1', 'from before', 'u1', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00', 1)`).run();
  db.close();

  assert.ok(applySqliteMigrations(dbFile).includes(conversations));
  const after = new Database(dbFile, { readonly: true });
  t.after(() => after.close());
  assert.deepEqual(after.prepare(`SELECT "id", "content", "authorId", "conversationId", "clientMessageId", "edited" FROM "Message"`).all(), [
    { id: 'm1', content: 'from before', authorId: 'u1', conversationId: null, clientMessageId: null, edited: 1 },
  ]);
  assert.deepEqual(after.pragma('foreign_key_check'), []);
});
