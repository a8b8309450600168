// Fails when the build output imports a devDependency. The production image
// installs runtime dependencies only (npm prune --omit=dev), so such an import
// would fail there at run time, however well it works in a dev checkout.
//
//   npm run build && tsx scripts/check-dist.ts [dir]    dir defaults to dist
//
// Reads every .js/.mjs/.cjs file under dir with TypeScript's parser and
// collects the module specifiers of import/export declarations, import() and
// require() (also createRequire(...)(...)), maps each bare specifier to its
// package name (@scope/name or name) and compares with package.json's
// devDependencies: any match fails. require.resolve() of a devDependency only
// warns: it finds a file without loading it, and the one use (tsx's hook for
// worker threads in src/auth/passwords.ts) runs only under tsx. Relative specifiers (the
// compiled project, including src/generated's Prisma clients) and Node's
// built-ins are skipped. An output file whose source no longer exists in src/
// (a stale file from an earlier build; `rm -rf dist` removes it) is reported
// and skipped: it is not what a fresh build ships.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const distDir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
const srcDir = path.join(root, 'src');

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const runtime = new Set(Object.keys(manifest.dependencies ?? {}));
// A package in both lists is installed in production too.
const devOnly = new Set(Object.keys(manifest.devDependencies ?? {}).filter((name) => !runtime.has(name)));
const builtins = new Set(builtinModules);

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return /\.[cm]?js$/.test(entry.name) ? [full] : [];
  });
}

/** The package a bare specifier names, or null for relative paths, URLs, `#imports` and built-ins. */
function packageName(specifier: string): string | null {
  if (/^(\.|\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return null; // ./x, /x, #x, node:x, file:x, data:x
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtins.has(name) ? null : name;
}

function isRequireLike(expression: ts.Expression): boolean {
  if (ts.isIdentifier(expression)) return expression.text === 'require';
  // createRequire(import.meta.url)
  return ts.isCallExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'createRequire';
}

interface Specifier {
  specifier: string;
  line: number;
  /** `load`: import/require; `resolve`: require.resolve (finds the file, does not run it). */
  kind: 'load' | 'resolve';
}

/** Module specifiers (string literals only) in `file`, with their line numbers. */
function specifiers(file: string): Specifier[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found: Specifier[] = [];
  const add = (node: ts.Node | undefined, kind: Specifier['kind']) => {
    if (node && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, kind });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, 'load');
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || isRequireLike(callee)) {
        add(node.arguments[0], 'load'); // import('x'), require('x'), createRequire(...)('x')
      } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && isRequireLike(callee.expression)) {
        add(node.arguments[0], 'resolve'); // require.resolve('x'), createRequire(...).resolve('x')
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const bundleDir = path.join(distDir, 'bundle') + path.sep;

/** src/<same path>.ts (or .mts/.cts/.js) for an output file, if it exists; the bundle (scripts/bundle.mjs) is checked as it is. */
function hasSource(outFile: string): boolean {
  if (outFile.startsWith(bundleDir)) return true;
  const base = path.join(srcDir, path.relative(distDir, outFile)).replace(/\.[cm]?js$/, '');
  return ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'].some((ext) => existsSync(base + ext));
}

if (!existsSync(distDir)) {
  console.error(`${path.relative(root, distDir) || distDir} does not exist: run npm run build first`);
  process.exit(2);
}

const problems: string[] = [];
let checked = 0;
for (const file of jsFiles(distDir)) {
  const shown = path.relative(root, file);
  if (!hasSource(file)) {
    console.warn(`skipped ${shown}: stale build output (no source in src/; rm -rf dist and rebuild)`);
    continue;
  }
  checked++;
  for (const { specifier, line, kind } of specifiers(file)) {
    const name = packageName(specifier);
    if (!name || !devOnly.has(name)) continue;
    if (kind === 'load') problems.push(`${shown}:${line} imports '${specifier}' (devDependency ${name})`);
    else console.warn(`warning: ${shown}:${line} resolves '${specifier}' (devDependency ${name}); only valid if it never runs in production`);
  }
}

if (problems.length > 0) {
  console.error(`The build output imports devDependencies, which the production image does not install:\n`);
  for (const problem of problems) console.error(`  ${problem}`);
  console.error(`\nMove dev-only code out of src/ (e.g. to scripts/), or make the package a dependency.`);
  process.exitCode = 1;
} else {
  console.log(`${checked} files in ${path.relative(root, distDir) || distDir}: no devDependency imports`);
}
