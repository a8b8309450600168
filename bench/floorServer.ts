// Starts the guard's floor server (floorChild.ts) as a child process, the way
// the API server is started (node --import tsx, its own process), and waits
// until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../tests/support/process.js';
import { alive, type Run } from './state.js';

export interface FloorServer {
  base: string;
  child: ChildProcess;
}

const CHILD = fileURLToPath(new URL('./floorChild.ts', import.meta.url));

export async function startFloorServer(run: Run): Promise<FloorServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  // Known from here on, so every way out kills it (see state.ts).
  run.children.add(child);
  child.once('exit', () => run.children.delete(child));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!alive(child)) throw new Error('the floor server exited early');
    try {
      if ((await fetch(base, { method: 'POST', body: '{}' })).ok) return { base, child };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the floor server did not start within 15 s');
    await sleep(50);
  }
}

export async function stopFloorServer(server: FloorServer) {
  if (!alive(server.child)) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}
