// Data-layer floors of the page scenario, in this process: the same Prisma
// calls the resolvers make, then the very SQL Prisma sent on the raw driver,
// so the report can split a page's time between HTTP + GraphQL, Prisma and
// the database.
import Database from 'better-sqlite3';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { PrismaClient as PostgresPrismaClient } from '../src/generated/prisma-postgresql/client.js';
import { parsePostgresUrl, postgresAdapter } from '../src/db/postgresql.js';
import { newestFirst } from '../src/pagination.js';
import { publicUserFields } from '../src/users/model.js';
import { floorSeconds, type Settings } from './settings.js';
import type { Floor } from './state.js';

/** The public timeline: what Query.messages reads and counts (messages of conversations never appear there). */
const PUBLIC_TIMELINE = { conversationId: null };

/**
 * The data work of the page scenario, as the resolvers do it: rows, then
 * count and authors together, both over the public timeline only, like
 * timelinePage (an unfiltered COUNT would also count conversations' messages
 * and the "API page / Prisma page" ratio would compare different work).
 */
async function prismaPage(db: PrismaClient) {
  const rows = await db.message.findMany({ where: PUBLIC_TIMELINE, orderBy: newestFirst, take: 21 });
  const authorIds = [...new Set(rows.slice(0, 20).map((row) => row.authorId))];
  return Promise.all([db.message.count({ where: PUBLIC_TIMELINE }), db.user.findMany({ where: { id: { in: authorIds } }, select: publicUserFields })]);
}

/** Iterations per second of `op`, run back to back (one in flight, like a single-threaded server at full load). */
async function opsPerSecond(settings: Settings, op: () => unknown): Promise<number> {
  // Prisma's JIT-heavy path needs about a second to settle.
  const warmEnd = performance.now() + 1000;
  while (performance.now() < warmEnd) await op();
  let count = 0;
  const start = performance.now();
  const end = start + floorSeconds(settings) * 1000;
  while (performance.now() < end) {
    await op();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

type Statement = { sql: string; params: unknown[] };
const recordQuery = (statements: Statement[]) => (event: { query: string; params: string }) =>
  void statements.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] });

/** On the snapshot of the seeded SQLite file, after the server stopped (nothing else on the file). */
export async function sqliteFloors(settings: Settings, snapshotFile: string): Promise<Floor> {
  // One logged pass records the exact SQL (and parameters) Prisma sends, so the
  // raw better-sqlite3 loop runs the same statements, not a hand-written guess.
  const statements: Statement[] = [];
  const logged = new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: snapshotFile }),
    log: [{ emit: 'event', level: 'query' }],
  });
  logged.$on('query', recordQuery(statements));
  await prismaPage(logged);
  await logged.$disconnect();

  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: snapshotFile }) });
  const prisma = await opsPerSecond(settings, () => prismaPage(db));
  await db.$disconnect();

  const raw = new Database(snapshotFile, { readonly: true });
  const prepared = statements.map(({ sql, params }) => ({ statement: raw.prepare(sql), params }));
  const sqlite = await opsPerSecond(settings, () => {
    for (const { statement, params } of prepared) statement.all(...params);
  });
  raw.close();
  return { prisma, raw: sqlite, sql: statements.map((s) => s.sql) };
}

/**
 * The same floors on PostgreSQL: Prisma over adapter-pg (the server's pool
 * size), then the SQL Prisma sent on a raw node-postgres pool, in the same
 * shape (the rows first, then count and authors in parallel on two connections).
 */
export async function postgresFloors(settings: Settings): Promise<Floor> {
  const { url, poolSize } = settings.postgres;
  const target = parsePostgresUrl(url);
  const statements: Statement[] = [];
  const logged = new PostgresPrismaClient({ adapter: postgresAdapter(target, poolSize), log: [{ emit: 'event', level: 'query' }] });
  logged.$on('query', recordQuery(statements));
  // The two generated clients have the same models; prismaPage is typed on the SQLite one.
  await prismaPage(logged as unknown as PrismaClient);
  await logged.$disconnect();

  const db = new PostgresPrismaClient({ adapter: postgresAdapter(target, poolSize) });
  try {
    const prisma = await opsPerSecond(settings, () => prismaPage(db as unknown as PrismaClient));
    const pool = new pg.Pool({ connectionString: target.connectionString, max: poolSize, options: `-c search_path=${target.schema}` });
    try {
      const [first, ...rest] = statements;
      const raw = await opsPerSecond(settings, async () => {
        if (first) await pool.query(first.sql, first.params);
        await Promise.all(rest.map(({ sql, params }) => pool.query(sql, params)));
      });
      return { prisma, raw, sql: statements.map((s) => s.sql) };
    } finally {
      await pool.end();
    }
  } finally {
    await db.$disconnect();
  }
}
