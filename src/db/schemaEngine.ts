// Prisma's schema engine (the one behind `prisma migrate`), compiled to
// WebAssembly and driven over a driver adapter. The `prisma migrate` CLI needs
// a native engine binary it downloads, which this project cannot rely on; the
// WASM build computes the same migration SQL. See
// /work/shared/notes/prisma-offline.md for what works and what does not.
//
// Provider-agnostic: callers pass any SqlMigrationAwareDriverAdapterFactory
// (PrismaBetterSqlite3 today, PrismaPg next).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
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

/** What Prisma's engine prints when two schemas agree. */
const EMPTY_MIGRATION = '-- This is an empty migration.';

let engineModule: Promise<EngineModule> | undefined;

/**
 * Loads and starts the WASM module. Node 20 cannot `import` a .wasm file (the
 * package's own entry point does exactly that), so the wasm-bindgen glue is
 * wired by hand.
 */
async function instantiateEngineModule(): Promise<EngineModule> {
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
  const remember = (adapter: SqlDriverAdapter) => (opened.push(adapter), adapter);
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
 * `migrations` are the folder's migrations in order (see readMigrations).
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
