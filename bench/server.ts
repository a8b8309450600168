// The server under load runs as its own process, so load generation does not
// share its event loop. Started by the test support's spawnServer as
// `npm start` runs it (scripts/start.mjs: the bundled build, rebuilt first
// when stale), with production settings on top of its test defaults.
import { randomBytes } from 'node:crypto';
import { spawnServer, type ServerProcess } from '../tests/support/process.js';
import { alive, type Run } from './state.js';
import type { Backend } from './settings.js';

export interface BenchServer extends ServerProcess {
  backend: Backend;
}

/** What a scenario needs beyond the backend's run: another SQLite file (S6 works on a copy), env on top. */
export interface ServerOptions {
  dbFile?: string;
  /** Overrides the bench's defaults below (e.g. S6's BCRYPT_ROUNDS=12 and raised login limits). */
  env?: Record<string, string>;
}

function backendEnv(run: Run, backend: Backend, dbFile: string): { databaseUrl: string; env: Record<string, string> } {
  const { postgres, redis } = run.settings;
  // '' drops an inherited variable (the server's config reads empty as unset):
  // the SQLite run must not pick up a REDIS_URL from the caller's shell.
  return backend === 'sqlite'
    ? { databaseUrl: `file:${dbFile}`, env: { REDIS_URL: '', REDIS_PREFIX: '' } }
    : { databaseUrl: postgres.url, env: { DATABASE_POOL_SIZE: String(postgres.poolSize), REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix } };
}

export async function startServer(run: Run, backend: Backend, options: ServerOptions = {}): Promise<BenchServer> {
  const { databaseUrl, env } = backendEnv(run, backend, options.dbFile ?? run.dbFile);
  const server = await spawnServer(databaseUrl, {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    BCRYPT_ROUNDS: '4', // the bench measures the API, not bcrypt (except S6, which says so)
    LOG_LEVEL: 'warn', // so anything the server prints is worth reading
    ...env,
    ...options.env,
  }, 'npmStart');
  // Known from here on, so every way out kills it (see state.ts).
  run.children.add(server.child);
  void server.exited.then(() => run.children.delete(server.child));
  return { ...server, backend };
}

/** Graceful stop (SIGTERM), as a deploy would; SIGKILL if it hangs. */
export async function stopServer(server: BenchServer) {
  if (!alive(server.child)) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(timer);
}

/** SIGKILL and wait for the exit: the last step of a backend's run, whatever happened. */
export async function killServer(server: BenchServer) {
  if (!alive(server.child)) return;
  server.child.kill('SIGKILL');
  await server.exited;
}
