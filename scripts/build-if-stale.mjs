// Part of `npm start` (scripts/start.mjs), and runnable alone: compile
// TypeScript (and bundle it) only when dist/ is missing or older than a source file, so a start after `npm install` (or after the
// first start) runs the compiled JavaScript at once instead of paying ~3 s
// of tsc every time; likewise the chat page (web/ -> web/dist/, vite build).
// Plain JavaScript: it must run before anything is built.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

export function buildIfStale() {
  // The bundle is the last step of the server's build: older than a source, both are redone.
  const built = mtime(join(root, 'dist', 'bundle', 'main.js'));
  const sources = Math.max(
    newest(join(root, 'src')),
    ...['tsconfig.json', 'package-lock.json', 'scripts/bundle.mjs'].map((file) => mtime(join(root, file))),
  );
  if (built < sources) {
    console.error('compiling TypeScript and bundling the server (dist/ is missing or older than src/)…');
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
    execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
  }

  const page = mtime(join(root, 'web', 'dist', 'index.html'));
  const pageSources = Math.max(
    ...['src', 'public'].map((dir) => newest(join(root, 'web', dir))),
    ...['index.html', 'vite.config.ts'].map((file) => mtime(join(root, 'web', file))),
    mtime(join(root, 'package-lock.json')),
  );
  if (page < pageSources) {
    console.error('building the chat page (web/dist/ is missing or older than web/)…');
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    execFileSync(process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit' });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) buildIfStale();
