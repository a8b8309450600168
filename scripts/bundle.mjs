// The last step of `npm run build`: the compiled server (dist/) bundled into
// a few files under dist/bundle/, which is what `npm start` and the Docker
// image run. Loading ~1,000 modules from node_modules one by one (resolve,
// stat, read, compile) was half of the start-up time; one bundle loads in a
// fraction of it. Code split at dynamic imports stays in chunks of its own,
// so what a deployment does not use (PostgreSQL, Redis, tracing, the chat
// page) is never read.
//
// dist/bundle/ sits two levels below the project root like dist/<dir>/ did,
// so the modules' paths relative to their own file (schema.graphql, prisma/,
// web/dist/, the trusted-documents manifest) still resolve; the hashing
// worker is an entry of its own, beside main.js, as passwords.ts expects.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/main.js', 'dist/auth/passwordWorker.js'],
  outdir,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages that find files of their own beside their code at run time
  // (native addons, worker scripts, transports) stay in node_modules, and so
  // does Apollo's createHash: bundled, its `module.require` check fails and
  // it hashes every query with a pure-JavaScript SHA-256 instead of Node's.
  external: ['better-sqlite3', 'piscina', 'pino', 'pino-pretty', '@opentelemetry/*', '@prisma/instrumentation', '@apollo/utils.createhash'],
  // CommonJS packages inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
