// The prepared-statement cache under Prisma's better-sqlite3 adapter: each
// distinct SQL text is prepared once, results stay right whatever the
// arguments, the cache is bounded, and the adapter still exposes what the
// seam relies on (its `client` and the calls it makes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { cachePreparedStatements, wrapAdapterFactory } from '../../src/db/statementCache.js';

/** Counts the real prepares under the cache. */
function countingPrepares(db: Database.Database) {
  const prepare = db.prepare.bind(db);
  const prepared: string[] = [];
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  return prepared;
}

type Cached = { prepare(sql: string): { bind(args: unknown[]): { run(): unknown; raw(): { all(): unknown[] }; columns(): Array<{ name: string }> } } };

test('the same SQL is prepared once and answers for every set of arguments', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
  const prepared = countingPrepares(db);
  cachePreparedStatements(db);
  const cached = db as unknown as Cached;
  for (let i = 1; i <= 50; i++) cached.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([i, `n${i}`]).run();
  const select = (id: number) => cached.prepare('SELECT id, name FROM t WHERE id = ?').bind([id]);
  assert.deepEqual(select(7).raw().all(), [[7, 'n7']]);
  assert.deepEqual(select(42).raw().all(), [[42, 'n42']]);
  assert.deepEqual(select(42).columns().map((c) => c.name), ['id', 'name']);
  assert.deepEqual(prepared, ['INSERT INTO t (id, name) VALUES (?, ?)', 'SELECT id, name FROM t WHERE id = ?']);
  db.close();
});

test('the cache is bounded and keeps the most recently used statements', () => {
  const db = new Database(':memory:');
  const prepared = countingPrepares(db);
  cachePreparedStatements(db, 2);
  const cached = db as unknown as Cached;
  const run = (n: number) => cached.prepare(`SELECT ${n}`).bind([]).raw().all();
  run(1);
  run(2);
  run(1); // 1 is now the most recent
  run(3); // evicts 2
  run(1);
  run(2);
  assert.deepEqual(prepared, ['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2']);
  db.close();
});

test("Prisma's adapter still works through the seam, with one prepare per statement", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'statement-cache-'));
  try {
    const factory = new PrismaBetterSqlite3({ url: join(dir, 'db.sqlite') });
    const connectedClients: Database.Database[] = [];
    let prepared: string[] = [];
    const connect = factory.connect.bind(factory);
    // Watch the real Database the adapter opens (before the seam wraps it).
    factory.connect = async () => {
      const adapter = await connect();
      const client = (adapter as unknown as { client: Database.Database }).client;
      connectedClients.push(client);
      prepared = countingPrepares(client);
      return adapter;
    };
    const adapter = await wrapAdapterFactory(factory).connect();
    const client = connectedClients[0]!;
    assert.ok(client instanceof Database, 'the adapter keeps its better-sqlite3 Database as `client`');
    await adapter.executeScript('CREATE TABLE m (id TEXT PRIMARY KEY, content TEXT)');
    const text = { scalarType: 'string', arity: 'scalar' } as const;
    for (let i = 0; i < 20; i++) {
      await adapter.executeRaw({ sql: 'INSERT INTO m (id, content) VALUES (?, ?)', args: [`id${i}`, `c${i}`], argTypes: [text, text] });
    }
    const read = await adapter.queryRaw({ sql: 'SELECT content FROM m WHERE id = ?', args: ['id13'], argTypes: [text] });
    assert.deepEqual(read.rows, [['c13']]);
    const again = await adapter.queryRaw({ sql: 'SELECT content FROM m WHERE id = ?', args: ['id4'], argTypes: [text] });
    assert.deepEqual(again.rows, [['c4']]);
    const transaction = await adapter.startTransaction();
    await transaction.executeRaw({ sql: 'INSERT INTO m (id, content) VALUES (?, ?)', args: ['t1', 'in a transaction'], argTypes: [text, text] });
    await transaction.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] });
    await transaction.commit();
    assert.deepEqual((await adapter.queryRaw({ sql: 'SELECT content FROM m WHERE id = ?', args: ['t1'], argTypes: [text] })).rows, [['in a transaction']]);
    assert.equal(prepared.filter((sql) => sql.startsWith('INSERT')).length, 1, '20 inserts, one prepare');
    assert.equal(prepared.filter((sql) => sql.startsWith('SELECT content')).length, 1);
    await adapter.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
