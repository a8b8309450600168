// Prisma's better-sqlite3 adapter prepares every statement again for every
// query (about 7 % of the server's CPU on a page of messages). This seam
// wraps the adapter's connection so that each distinct SQL text is prepared
// once and reused, with the arguments passed per call instead of bound to
// the statement (better-sqlite3 allows bind() only once per statement).
//
// It relies on one detail of @prisma/adapter-better-sqlite3 7.x: the adapter
// keeps its better-sqlite3 Database as `client` and only calls
// `client.prepare(sql)`, then `.bind(args)` followed by `reader`, `run()`,
// `columns()` and `raw().all()`, or `.run()` directly (BEGIN).
// tests/sqlite/statement-cache.test.ts pins that contract; if an upgrade
// changes it, wrapAdapterFactory leaves the adapter as it is.
import type BetterSqlite3 from 'better-sqlite3';

/** Distinct statements kept; the API sends a few dozen shapes. */
const DEFAULT_MAX_STATEMENTS = 500;

type Statement = BetterSqlite3.Statement<unknown[]>;

/** What the adapter uses of a prepared statement. */
interface StatementView {
  readonly reader: boolean;
  run(): BetterSqlite3.RunResult;
  bind(args: unknown[]): BoundView;
}
interface BoundView {
  readonly reader: boolean;
  run(): BetterSqlite3.RunResult;
  columns(): BetterSqlite3.ColumnDefinition[];
  raw(): { all(): unknown[] };
}

function view(statement: Statement): StatementView {
  return {
    reader: statement.reader,
    run: () => statement.run(),
    bind: (args) => ({
      reader: statement.reader,
      run: () => statement.run(args),
      columns: () => statement.columns(),
      raw: () => ({ all: () => statement.raw(true).all(args) }),
    }),
  };
}

/** Replaces `database.prepare` with a bounded (least recently used) cache of statements. */
export function cachePreparedStatements(database: BetterSqlite3.Database, maxStatements = DEFAULT_MAX_STATEMENTS): void {
  const prepare = database.prepare.bind(database) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  (database as unknown as { prepare: (sql: string) => StatementView }).prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql); // re-inserted below: most recently used last
    } else {
      statement = prepare(sql);
      if (cache.size >= maxStatements) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return view(statement);
  };
}

interface AdapterFactory {
  connect(): Promise<unknown>;
}

/** The same factory, whose connections reuse prepared statements. */
export function wrapAdapterFactory<F extends AdapterFactory>(factory: F): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const client = (adapter as { client?: unknown }).client;
    if (client && typeof (client as BetterSqlite3.Database).prepare === 'function' && 'inTransaction' in (client as object)) {
      cachePreparedStatements(client as BetterSqlite3.Database);
    }
    return adapter;
  };
  return factory;
}
