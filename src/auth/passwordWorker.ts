// Runs in a piscina worker thread (see passwords.ts): bcrypt is pure JS, so
// it runs here, where its CPU time cannot stall the server's event loop.
// Synchronous calls: a worker does one task at a time anyway.
import bcrypt from 'bcryptjs';

export type PasswordTask =
  | { kind: 'hash'; password: string; rounds: number }
  | { kind: 'compare'; password: string; hash: string };

/** The default export is piscina's handler (one per file keeps loading simple). */
export default function run(task: PasswordTask): string | boolean {
  return task.kind === 'hash' ? bcrypt.hashSync(task.password, task.rounds) : bcrypt.compareSync(task.password, task.hash);
}
