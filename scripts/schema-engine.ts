// Prisma's schema engine (the one behind `prisma migrate`), compiled to
// WebAssembly and driven over a driver adapter. The `prisma migrate` CLI needs
// a native engine binary it downloads, which this project cannot rely on; the
// WASM build computes the same migration SQL. What works offline: `diff` (from
// an empty database, another schema, or the live database behind the adapter)
// and `diagnoseMigrationHistory`; what does not: the engine's own replay of a
// migrations folder (`applyMigrations`, `diff` from migrations), which fails
// with the better-sqlite3 adapter.
//
// Development only (db:migration, db:check and the tests): it needs
// devDependencies (@prisma/schema-engine-wasm, @prisma/driver-adapter-utils),
// so it lives in scripts/, outside the build and the production image
// (scripts/check-dist.ts fails CI when the build output imports one).
//
// Provider-agnostic: callers pass any SqlMigrationAwareDriverAdapterFactory
// (PrismaBetterSqlite3, PrismaPg). With PrismaPg outside `public`, set both the
// adapter's `{ schema }` option (what the engine introspects, and what the client
// qualifies table names with) and `options: '-c search_path=<schema>'` (where the
// engine's unqualified `_prisma_migrations` queries and migration SQL land).
// `?schema=` in the URL is ignored.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type {
  DiagnoseMigrationHistoryOutput,
  DiffTarget,
  SchemaContainer,
  SchemaEngine,
} from '@prisma/schema-engine-wasm/schema_engine_bg';

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

// The runtime global; neither lib ES2023 nor @types/node 20 declares it.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

/** A Prisma schema file: `path` names it in engine messages, `content` is what counts. */
export type SchemaFile = SchemaContainer;

/** Receives the engine's log lines (JSON strings); ignored by default. */
export type EngineLog = (line: string) => void;

/**
 * PostgreSQL's one-byte `"char"` type (OID 18). The engine's introspection reads
 * three catalog columns of it (pg_constraint.contype, confdeltype, confupdtype)
 * as Prisma's `Character` column type, but @prisma/adapter-pg (6.16 to
 * 8.1.0-dev.7 checked) has no case for OID 18: it throws UnsupportedNativeDataType
 * and the engine reports "Column type 'char' could not be deserialized from the
 * database". Labelled `Text` instead, the engine panics on any CHECK constraint
 * (`get_char` on a Text value). pg already returns the values as one-letter
 * strings, so we relabel the column: text (OID 25) for the adapter, then
 * `Character` for the engine.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
/** Set on a pg result's `rows` (which the adapter passes on): indexes of its "char" columns. */
const pgCharColumns = Symbol('pgCharColumns');
const pgCharPatched = Symbol('pgCharPatched');

type PgRows = unknown[] & { [pgCharColumns]?: number[] };
type PgResultLike = { fields?: Array<{ dataTypeID: number }>; rows?: PgRows };
type PgPoolLike = { query: (...args: unknown[]) => unknown; [pgCharPatched]?: true };

function relabelPgChar<T>(result: T): T {
  const { fields = [], rows } = (result ?? {}) as PgResultLike;
  const indexes = fields.flatMap((field, i) => (field.dataTypeID === PG_CHAR_OID ? [i] : []));
  for (const i of indexes) fields[i]!.dataTypeID = PG_TEXT_OID;
  if (indexes.length > 0 && rows) rows[pgCharColumns] = indexes;
  return result;
}

/**
 * Lets a PrismaPg adapter read "char" columns (see PG_CHAR_OID). Relies on two
 * adapter-pg 7.10 internals: underlyingDriver() is the pg Pool it queries with
 * pool.query(), and queryRaw returns that result's `rows` array as is. The pool
 * is patched once (a pool the caller passed in keeps it: it only turns a
 * throwing "char" column into text); the adapter is ours, opened for this engine.
 */
function readPgCharColumns(adapter: SqlDriverAdapter): void {
  if (adapter.provider !== 'postgres') return;
  const pool = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.() as PgPoolLike | undefined;
  if (typeof pool?.query !== 'function') return;
  if (!pool[pgCharPatched]) {
    const query = pool.query;
    pool.query = function (this: unknown, ...args: unknown[]) {
      const result = query.apply(this, args);
      return result instanceof Promise ? result.then(relabelPgChar) : result;
    };
    pool[pgCharPatched] = true;
  }
  const queryRaw = adapter.queryRaw;
  adapter.queryRaw = async function (this: SqlDriverAdapter, query) {
    const result = await queryRaw.call(this, query);
    const rows = result.rows as PgRows;
    for (const i of rows[pgCharColumns] ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    delete rows[pgCharColumns];
    return result;
  };
}

/**
 * The engine reads a partial index's definition with
 * `... WHERE type = 'index' AND name = "<index>"`: a double-quoted string,
 * which SQLite reads as a string only where double-quoted strings are allowed.
 * better-sqlite3 builds SQLite without them (SQLITE_DQS=0), so the engine
 * fails to describe any database with a partial index ("column not found").
 * Only that one statement is rewritten, to the single quotes it means.
 */
const SQLITE_INDEX_SQL = /^(SELECT sql FROM sqlite_master WHERE type = 'index' AND name = )"([^"']*)";?$/;

function quoteSqliteIndexNames(adapter: SqlDriverAdapter): void {
  if (adapter.provider !== 'sqlite') return;
  const queryRaw = adapter.queryRaw;
  adapter.queryRaw = function (this: SqlDriverAdapter, query) {
    const match = SQLITE_INDEX_SQL.exec(query.sql);
    return queryRaw.call(this, match ? { ...query, sql: `${match[1]}'${match[2]}'` } : query);
  };
}

/** What Prisma's engine prints when two schemas agree. */
const EMPTY_MIGRATION = '-- This is an empty migration.';

let engineModule: Promise<EngineModule> | undefined;

/**
 * Loads and starts the WASM module. Node 20 cannot `import` a .wasm file (the
 * package's own entry point does exactly that), so the wasm-bindgen glue is
 * wired by hand.
 */
async function instantiateEngineModule(): Promise<EngineModule> {
  // Where the wasm writes a Rust panic's message (the Prisma CLI sets the same
  // global). Without it a panic dies in a TypeError and the message is lost; with
  // it the process still ends (uncaught `RuntimeError: unreachable`), but
  // `globalThis.PRISMA_WASM_PANIC_REGISTRY.get()` tells why.
  const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
  if (!registry.PRISMA_WASM_PANIC_REGISTRY) {
    let panic = '';
    registry.PRISMA_WASM_PANIC_REGISTRY = {
      get: () => panic,
      set_message: (message: string) => void (panic = `RuntimeError: ${message}`),
    };
  }
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  // The .wasm file sits beside the glue module; resolve through the package's exports.
  const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, {
    // The key is the import name the wasm was compiled against.
    './schema_engine_bg.js': glue,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

/** The engine module, instantiated once per process (5 MB of wasm). */
function loadEngineModule(): Promise<EngineModule> {
  if (!engineModule) {
    engineModule = instantiateEngineModule();
    // A failed load should not poison every later call.
    engineModule.catch(() => {
      engineModule = undefined;
    });
  }
  return engineModule;
}

/**
 * Runs `use` with a fresh engine over `adapterFactory`, then frees the engine
 * and closes every connection it opened: `engine.free()` does not dispose the
 * adapters (checked: the better-sqlite3 handle stays open), so we track them.
 */
async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
  log: EngineLog,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const opened: SqlDriverAdapter[] = [];
  const remember = (adapter: SqlDriverAdapter) => {
    readPgCharColumns(adapter);
    quoteSqliteIndexNames(adapter);
    opened.push(adapter);
    return adapter;
  };
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => remember(await adapterFactory.connect()),
    connectToShadowDb: async () => remember(await adapterFactory.connectToShadowDb()),
  };
  // Keep any symbol-keyed markers an adapter sets: the binder copies them on.
  for (const key of Object.getOwnPropertySymbols(adapterFactory)) {
    Object.defineProperty(tracking, key, { value: Reflect.get(adapterFactory, key), enumerable: true });
  }
  // The engine rejects a raw factory; the bound one turns thrown errors into results.
  const bound = bindMigrationAwareSqlAdapterFactory(tracking);
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, log, bound);
    return await use(engine);
  } finally {
    engine?.free();
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
  }
}

function asSchemaFile(schema: string | SchemaFile): SchemaFile {
  return typeof schema === 'string' ? { path: 'schema.prisma', content: schema } : schema;
}

/** Reads a schema file for the functions below (its path also sets the engine's configDir). */
export async function readSchemaFile(schemaPath: string): Promise<SchemaFile> {
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

async function diff(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
  from: DiffTarget,
  log: EngineLog,
): Promise<string> {
  return withEngine(adapterFactory, schema, log, async (engine) => {
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true, // executable SQL, not the human-readable summary
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    if (result.stdout === null) throw new Error('Prisma schema engine returned no diff script');
    return result.stdout;
  });
}

/**
 * The SQL that creates `schema` in an empty database, as `prisma migrate dev`
 * would write it for a first migration. No database is read, but the engine
 * still needs an adapter of the right provider.
 */
export function migrationScriptFromEmpty(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: string | SchemaFile,
  log: EngineLog = () => {},
): Promise<string> {
  return diff(adapterFactory, asSchemaFile(schema), { tag: 'empty' }, log);
}

/**
 * The SQL that would bring the live database behind `adapterFactory` to
 * `schema` (Prisma's `migrate diff --from-schema-datasource --to-schema-datamodel`).
 * Prisma's `_prisma_migrations` table is not part of the comparison.
 * Returns Prisma's empty-migration comment when they agree: see isEmptyMigration.
 */
export async function diffDatabaseToSchema(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: string | SchemaFile,
  log: EngineLog = () => {},
): Promise<string> {
  const file = asSchemaFile(schema);
  const configDir = path.dirname(path.resolve(file.path));
  return diff(adapterFactory, file, { tag: 'schemaDatasource', files: [file], configDir }, log);
}

/**
 * Prisma's own reading of the database's `_prisma_migrations` against a
 * migrations folder (what `prisma migrate status` reports): edited and failed
 * migrations, and `history` null when database and folder are in step. Lets
 * tests confirm that Prisma accepts the rows our runner writes.
 * `migrations` are the folder's migrations in order (see readMigrations in
 * src/db/migrations.ts).
 */
export async function diagnoseMigrationHistory(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: string | SchemaFile,
  migrationsDir: string,
  migrations: ReadonlyArray<{ name: string; sql: string }>,
  log: EngineLog = () => {},
): Promise<DiagnoseMigrationHistoryOutput> {
  const lockfile = await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return withEngine(adapterFactory, asSchemaFile(schema), log, (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList: {
        baseDir: migrationsDir,
        lockfile: { path: 'migration_lock.toml', content: lockfile },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
        })),
      },
      optInToShadowDatabase: false, // the shadow-database replay fails with better-sqlite3
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
}

/** True for Prisma's "-- This is an empty migration." output (or nothing but comments). */
export function isEmptyMigration(sql: string): boolean {
  if (sql.trim() === EMPTY_MIGRATION) return true;
  const statements = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('')
    .trim();
  return statements === '';
}
