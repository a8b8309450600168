// npm run db:reset [-- --force]: empties the database DATABASE_URL names and
// applies every migration, as a fresh start would. SQLite: the file (and its
// -wal/-shm) is deleted. PostgreSQL: the schema of DATABASE_URL (`?schema=`,
// default public) is dropped with everything in it and created again. Stop
// the server first. Refused when NODE_ENV=production unless --force.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { loadConfigOrExit, refuseInProductionWithoutForce } from './cli.js';
import { applySqliteMigrations } from '../src/db/sqlite.js';
import { applyPostgresMigrations, parsePostgresUrl } from '../src/db/postgresql.js';

refuseInProductionWithoutForce('db:reset', 'this deletes every user and message');
const config = loadConfigOrExit();

if (config.database.provider === 'sqlite') {
  const file = resolve(config.database.file);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  const applied = applySqliteMigrations(file);
  console.log(`SQLite ${file}: emptied, ${applied.length} migrations applied`);
} else {
  const target = parsePostgresUrl(config.database.url);
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    // The schema name was checked by parsePostgresUrl (lower-case letters, digits, _).
    await client.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${target.schema}"`);
  } finally {
    await client.end();
  }
  const applied = await applyPostgresMigrations(target);
  const where = new URL(target.connectionString);
  console.log(`PostgreSQL ${where.host}${where.pathname}, schema ${target.schema}: emptied, ${applied.length} migrations applied`);
}
