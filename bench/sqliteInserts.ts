// `npm run bench:inserts`: what one public message costs SQLite itself, on the
// project's own migrated schema, with the statement createMessage's group
// commit sends for a batch that holds idempotency keys (messages/inserts.ts:
// multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING; a batch without keys
// sends the same INSERT without those two, so this is its upper bound), batch
// sizes like those 32 connections produce, and
// the WAL checkpoint threshold SQLite ships with beside the one the server
// sets (db/client.ts). Prints µs per row and how many commits stalled on a
// checkpoint (took over 2 ms), so the threshold's trade is visible: fewer
// page copies per row, longer (rarer) stalls. Raw better-sqlite3 on purpose:
// this measures the database, not Prisma. Rows: BENCH_INSERT_ROWS (60000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applySqliteMigrations, SQLITE_WAL_CHECKPOINT_PAGES } from '../src/db/sqlite.js';
import { newTimeOrderedId } from '../src/ids.js';

const ROWS = Number(process.env.BENCH_INSERT_ROWS ?? 60_000);
const USERS = 50;
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?)';

function measure(dir: string, batch: number, checkpointPages: number) {
  const file = join(dir, `inserts-${batch}-${checkpointPages}.sqlite`);
  applySqliteMigrations(file);
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
  const authors = Array.from({ length: USERS }, (_, i) => {
    const id = newTimeOrderedId();
    db.prepare(`INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash") VALUES (?, ?, ?, 'x')`).run(id, `user${i}`, `user${i}`);
    return id;
  });
  const insert = db.prepare(
    `INSERT INTO "Message" ("id", "content", "authorId", "conversationId", "clientMessageId", "createdAt", "updatedAt", "edited")
     VALUES ${Array(batch).fill(ROW).join(', ')}
     ON CONFLICT ("authorId", "clientMessageId") WHERE "clientMessageId" IS NOT NULL DO NOTHING RETURNING "id"`,
  );
  let stalls = 0;
  let longest = 0;
  const start = performance.now();
  for (let done = 0; done < ROWS; done += batch) {
    const now = new Date().toISOString(); // as the adapter stores a DateTime
    const args: unknown[] = [];
    for (let i = 0; i < batch; i++) args.push(newTimeOrderedId(), `bench message ${done + i}`, authors[(done + i) % USERS], null, null, now, now, 0);
    const t = performance.now();
    insert.all(args);
    const took = performance.now() - t;
    if (took > 2) stalls++;
    longest = Math.max(longest, took);
  }
  const perRow = ((performance.now() - start) * 1000) / ROWS;
  db.close();
  return { perRow, stalls, longest };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-inserts-'));
try {
  console.log(`${ROWS} public messages by ${USERS} authors, one commit per batch\n`);
  console.log('| rows per commit | wal_autocheckpoint (pages) | µs per row | commits over 2 ms | longest ms |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const batch of [1, 4, 12]) {
    for (const pages of [1000, SQLITE_WAL_CHECKPOINT_PAGES]) {
      const { perRow, stalls, longest } = measure(dir, batch, pages);
      console.log(`| ${batch} | ${pages}${pages === 1000 ? ' (default)' : ' (server)'} | ${perRow.toFixed(1)} | ${stalls} | ${longest.toFixed(1)} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
