// The chat page at /app, end to end: the real server serving the Vite build
// of web/, and Debian's Chromium driven by playwright-core, two people in two
// browser contexts. Screenshots go to test-results/browser/ (paths printed).
//
// Needs /usr/bin/chromium (CHROMIUM_PATH overrides; CI installs it). Builds
// the page first when web/dist/ is missing or older than web/'s sources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/server.js';

const root = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(root, 'test-results', 'browser');
const PASSWORD = 'correct horse battery';

function newestIn(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(entry).map((name) => newestIn(path.join(entry, name))));
}

/** `vite build` unless web/dist/ is newer than everything it is built from (CI has just run npm run build). */
function ensurePageBuilt() {
  const built = existsSync(path.join(root, 'web/dist/index.html')) ? statSync(path.join(root, 'web/dist/index.html')).mtimeMs : 0;
  const sources = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'].map((p) => newestIn(path.join(root, p)));
  if (built >= Math.max(...sources)) return;
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * A GET with the path and headers sent exactly as written (fetch normalises
 * the path, and adds Cache-Control: no-cache to conditional requests).
 */
function rawGet(base: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: TestServer;
let origin: string;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  ensurePageBuilt();
  server = await startTestServer();
  origin = new URL(server.url).origin;
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('GET /app serves the built page and its assets with their content types, caching and a CSP of self only', async () => {
  const page = await fetch(`${origin}/app`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('cache-control'), 'no-cache', 'a new build is picked up at once');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /https?:|\*|unsafe-inline|unsafe-eval/, 'nothing but this origin');
  const html = await page.text();
  assert.equal((await fetch(`${origin}/app/`)).status, 200);

  const script = /<script type="module" crossorigin src="(\/app\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  const style = /<link rel="stylesheet" crossorigin href="(\/app\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  assert.ok(script && style, `the page links its script and stylesheet under /app/assets/: ${html}`);
  for (const [asset, type] of [
    [script, 'text/javascript; charset=utf-8'],
    [style, 'text/css; charset=utf-8'],
  ] as const) {
    const response = await fetch(origin + asset);
    assert.equal(response.status, 200, asset);
    assert.equal(response.headers.get('content-type'), type, asset);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'hashed names: cached for good');
    const etag = response.headers.get('etag');
    assert.ok(etag);
    assert.equal((await rawGet(origin, asset, { 'if-none-match': etag })).status, 304, 'revalidated without a download');
  }
  const missing = await fetch(`${origin}/app/assets/nope.js`);
  assert.equal(missing.status, 404);
  assert.equal((await fetch(`${origin}/app/`, { method: 'POST' })).status, 405);
});

test('/app serves nothing outside web/dist/: climbing paths, encoded separators, dotfiles, NUL', async () => {
  const attempts = [
    '/app/../package.json',
    '/app/..%2fpackage.json',
    '/app/..%2f..%2fpackage.json',
    '/app/%2e%2e/%2e%2e/package.json',
    '/app/%2e%2e%2f%2e%2e%2fsrc%2fconfig.ts',
    '/app/assets/..%2f..%2f..%2fpackage.json',
    '/app/..%5c..%5cpackage.json',
    '/app/..\\..\\package.json',
    '/app/..%2findex.html', // web/index.html, the page's source
    '/app/%2e%2e/src/main.tsx',
    '/app//etc/passwd',
    '/app/%2fetc%2fpasswd',
    '/app/.vite/manifest.json',
    '/app/index.html%00.js',
  ];
  for (const attempt of attempts) {
    const { status, body } = await rawGet(origin, attempt);
    assert.ok(status >= 400 && status < 500, `${attempt}: ${status}`);
    assert.doesNotMatch(body, /messaging-api|DEV_JWT_SECRET|main\.tsx|root:/, `${attempt} leaked a file`);
  }
});

test('APP_PAGE=off answers /app with the API 404; production serves the page only with APP_PAGE=on', async () => {
  const off = await startTestServer({ APP_PAGE: 'off' });
  try {
    const response = await fetch(new URL('/app/', off.url));
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as any).errors[0].extensions.code, 'NOT_FOUND');
  } finally {
    await off.stop();
  }
  const production = { NODE_ENV: 'production', JWT_SECRET: TEST_SECRET };
  assert.equal(loadConfig(production).appPage, false);
  assert.equal(loadConfig({ ...production, APP_PAGE: 'on' }).appPage, true);
  assert.equal(loadConfig({ NODE_ENV: 'development' }).appPage, true);
});

/**
 * The page's WebSocket to /graphql, passed through Playwright so a test can
 * cut it (as a lost network would) and refuse reconnections until restore().
 */
class Link {
  private open: WebSocketRoute | null = null;
  private down = false;

  route(ws: WebSocketRoute) {
    if (this.down) return ws.close({ code: 1013, reason: 'network down (test)' }); // graphql-ws retries 1013
    ws.connectToServer();
    this.open = ws;
  }

  async cut() {
    this.down = true;
    await this.open?.close({ code: 1001, reason: 'network lost (test)' });
  }

  restore() {
    this.down = false;
  }
}

/** A page in its own browser context (own sessionStorage, own WebSocket), failing the test on any page error or CSP refusal. */
async function openPage(problems: string[], link = new Link()): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  await context.routeWebSocket(/\/graphql$/, (ws) => link.route(ws));
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${origin}/app/`);
  return page;
}

async function signUp(page: Page, username: string) {
  await page.getByTestId('auth-username').fill(username);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('signup-button').click();
  await page.getByTestId('viewer').filter({ hasText: username }).waitFor();
  await page.locator('[data-testid="connection"].live').waitFor();
}

const message = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });

async function screenshot(page: Page, name: string, shots: string[]) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, name);
  await page.screenshot({ path: file });
  shots.push(path.relative(root, file));
}

test('two people chat live in the browser: direct conversation, unread badge, token refresh, typing, edit, delete, a lost connection, older messages', async (t) => {
  const problems: string[] = [];
  const shots: string[] = [];
  const annName = `ann_${process.pid}`;
  const benName = `ben_${process.pid}`;
  const bensLink = new Link();
  const [ann, ben] = await Promise.all([openPage(problems), openPage(problems, bensLink)]);
  await signUp(ann, annName);
  await signUp(ben, benName);

  // Ann starts a direct conversation with Ben and writes.
  await ann.getByTestId('direct-username').fill(benName);
  await ann.getByTestId('direct-open').click();
  await ann.getByTestId('conversation-heading').filter({ hasText: benName }).waitFor();
  await ann.getByTestId('composer-input').fill('Hello Ben, this is Ann');
  await ann.getByTestId('composer-send').click();
  await message(ann, 'Hello Ben, this is Ann').waitFor();

  // Ben, without reloading: the conversation appears with one unread message.
  const bensItem = ben.getByTestId('conversation-item').filter({ hasText: annName });
  await bensItem.getByTestId('unread-badge').filter({ hasText: /^1$/ }).waitFor();
  await screenshot(ben, 'ben-1-unread-badge.png', shots);

  // Opening it shows the message and clears the badge ...
  await bensItem.click();
  await message(ben, 'Hello Ben, this is Ann').getByTestId('message-author').filter({ hasText: annName }).waitFor();
  await bensItem.getByTestId('unread-badge').waitFor({ state: 'detached' });
  // ... on the server too: after a reload (same tab, so still signed in) it stays cleared.
  // The reload also starts with an access token the server refuses: the page
  // gets a new pair with its refresh token instead of signing Ben out.
  // (Runs in the page: globalThis is its window; this file is type-checked without DOM types.)
  const session = () => ben.evaluate(() => JSON.parse((globalThis as any).sessionStorage.getItem('chat.session') ?? 'null'));
  const before = await session();
  await ben.evaluate((stored) => {
    (globalThis as any).sessionStorage.setItem('chat.session', JSON.stringify({ ...stored, accessToken: 'not-a-valid-token' }));
  }, before);
  await ben.reload();
  await bensItem.waitFor();
  assert.equal(await bensItem.getByTestId('unread-badge').count(), 0, 'the read position was saved');
  await ben.locator('[data-testid="connection"].live').waitFor();
  const after = await session();
  assert.equal(after.user.username, benName);
  assert.notEqual(after.refreshToken, before.refreshToken, 'rotated');
  assert.notEqual(after.accessToken, 'not-a-valid-token');

  // Ben types: Ann sees it; Ben sends: Ann sees the message live and the typing line goes.
  await bensItem.click();
  await message(ben, 'Hello Ben, this is Ann').waitFor();
  await ben.getByTestId('composer-input').pressSequentially('Hi Ann', { delay: 20 });
  await ann.getByTestId('typing').filter({ hasText: `${benName} is typing…` }).waitFor();
  await ben.getByTestId('composer-send').click();
  await message(ann, 'Hi Ann').waitFor();
  await ann.getByTestId('typing').filter({ hasText: /^$/ }).waitFor();

  // Ben edits his message, Ann deletes hers: both show on the other side live.
  await message(ben, 'Hi Ann').getByTestId('edit-message').click();
  await ben.getByTestId('edit-input').fill('Hi Ann! (edited on purpose)');
  await ben.getByTestId('edit-save').click();
  await message(ann, 'Hi Ann! (edited on purpose)').filter({ hasText: '(edited)' }).waitFor();
  await message(ann, 'Hello Ben, this is Ann').getByTestId('delete-message').click();
  await message(ben, 'Hello Ben, this is Ann').waitFor({ state: 'detached' });
  await screenshot(ann, 'ann-2-conversation.png', shots);
  await screenshot(ben, 'ben-2-conversation.png', shots);

  // Ben's connection drops; what Ann writes meanwhile arrives once he is back, exactly once.
  await bensLink.cut();
  await ben.locator('[data-testid="connection"].reconnecting').waitFor();
  await ann.getByTestId('composer-input').fill('Sent while you were offline');
  await ann.getByTestId('composer-send').click();
  await message(ann, 'Sent while you were offline').waitFor();
  bensLink.restore();
  await ben.locator('[data-testid="connection"].live').waitFor();
  await message(ben, 'Sent while you were offline').waitFor();
  assert.equal(await message(ben, 'Sent while you were offline').count(), 1);

  // 35 more messages: Ben's page keeps the newest 30 after a reload; "load older" brings the rest.
  const conversationId = await ben.getByTestId('conversation-view').getAttribute('data-conversation-id');
  const login = await server.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
    input: { username: annName, password: PASSWORD },
  });
  const token = login.data.login.accessToken as string;
  for (let i = 1; i <= 35; i++) {
    const sent = await server.gql(`mutation ($input: CreateMessageInput!) { createMessage(input: $input) { id } }`, { input: { conversationId, content: `Note ${i}` } }, token);
    assert.ok(sent.data, JSON.stringify(sent.errors));
  }
  await message(ben, 'Note 35').waitFor();
  await ben.reload();
  await bensItem.click();
  await message(ben, 'Note 35').waitFor();
  assert.equal(await ben.getByTestId('message').count(), 30, 'one page');
  assert.equal(await message(ben, 'Hi Ann!').count(), 0, 'older than the first page');
  await ben.getByTestId('load-older').click();
  await message(ben, 'Hi Ann!').waitFor();
  assert.equal(await ben.getByTestId('message').count(), 37);
  assert.equal(await ben.getByTestId('load-older').count(), 0, 'nothing older left');
  await message(ben, 'Hi Ann!').scrollIntoViewIfNeeded(); // the list keeps its place when older messages arrive above
  await screenshot(ben, 'ben-3-older-messages.png', shots);

  assert.deepEqual(problems, [], 'no script errors, no CSP refusals');
  t.diagnostic(`screenshots: ${shots.join(', ')}`);
  console.log(`screenshots:\n${shots.map((shot) => `  ${shot}`).join('\n')}`);
});
