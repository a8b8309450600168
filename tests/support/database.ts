// A fresh, empty database per test server, on the provider the run selects:
// TEST_DATABASE=sqlite (default): a temp SQLite file;
// TEST_DATABASE=postgresql: a new schema in TEST_POSTGRES_URL, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestProvider = 'sqlite' | 'postgresql';

export const testProvider = (): TestProvider => (process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite');
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  provider: TestProvider;
  /** The DATABASE_URL a server uses. */
  url: string;
  /** The SQLite file (sqlite only). */
  file?: string;
  /** Runs SQL directly against the database, bypassing the server (fault injection, checks). */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createTestDatabase(provider: TestProvider = testProvider()): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'messaging-test-'));
    const file = join(dir, 'test.db');
    return {
      provider,
      url: `file:${file}`,
      file,
      async exec(sql) {
        const { default: Database } = await import('better-sqlite3');
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    provider,
    url: url.toString(),
    exec: run,
    drop: () => run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}
