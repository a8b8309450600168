// `npm start`'s prestart: compile TypeScript only when dist/ is missing or
// older than a source file, so a start after `npm install` (or after the
// first start) runs the compiled JavaScript at once instead of paying ~3 s
// of tsc every time. Plain JavaScript: it must run before anything is built.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
function newest(dir) {
  let latest = mtime(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : mtime(path));
  }
  return latest;
}

const built = mtime(join(root, 'dist', 'main.js'));
const sources = Math.max(newest(join(root, 'src')), mtime(join(root, 'tsconfig.json')), mtime(join(root, 'package-lock.json')));
if (built < sources) {
  console.error('compiling TypeScript (dist/ is missing or older than src/)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
