// `npm run bench:hostile`: what hostile request shapes cost the server.
// Starts the compiled server (`npm run build` first) in production mode on a
// fresh SQLite file, signs a user in, then for each shape sends 200 requests
// at once while a normal `me` query runs every 100 ms, and prints the answer
// size, the server's peak RSS and the slowest normal answer. Run it against
// another checkout with HOSTILE_PROJECT=<dir> (its dist/ built) to compare;
// HOSTILE_ONLY=<start of a shape's name> and HOSTILE_CONCURRENCY=<n> narrow a run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../tests/support/process.js';

const project = resolve(process.env.HOSTILE_PROJECT ?? '.');
const concurrency = Number(process.env.HOSTILE_CONCURRENCY ?? 200);

const shapes: Record<string, (token: string) => string> = {
  'cost by variables (7 aliased pages, first: $n = 100, nested)': () =>
    JSON.stringify({
      query: `query ($n: Int) { ${Array.from({ length: 7 }, (_, i) => `a${i}: messages(first: $n) { edges { node { id content author { messages(first: $n) { edges { node { id content } } } } } } }`).join(' ')} }`,
      variables: { n: 100 },
    }),
  'error amplification (3,000 unknown input fields, 89 kB)': () =>
    JSON.stringify({
      query: `mutation ($input: CreateMessageInput!) { createMessage(input: $input) { id } }`,
      variables: { input: { content: 'x', ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field_${i}_${'y'.repeat(12)}`, i])) } },
    }),
  'deep JSON (45,000 nested arrays, 90 kB)': () =>
    `{"query":"query ($x: String) { me { id } }","variables":{"x":${'['.repeat(45_000)}${']'.repeat(45_000)}}}`,
};

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: project,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'db.sqlite')}`, JWT_SECRET: 'x'.repeat(48), LOG_LEVEL: 'silent', BCRYPT_ROUNDS: '4' },
    stdio: 'inherit',
  });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${url.replace('/graphql', '/healthz')}`).then((r) => r.ok, () => false)) break;
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const post = async (body: string, token?: string) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
    };
    const registered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { register(input: { username: "hostile", password: "long enough pass" }) { accessToken } }` }),
    }).then((r) => r.json() as Promise<{ data: { register: { accessToken: string } } }>);
    const token = registered.data.register.accessToken;
    for (let i = 0; i < 200; i++) await post(JSON.stringify({ query: `mutation { createMessage(input: { content: "${'m'.repeat(400)}" }) { id } }` }), token);

    console.log(`project: ${project}; ${concurrency} concurrent requests per shape; RSS at rest ${rssOf(child.pid!).toFixed(0)} MB\n`);
    console.log('| shape | status | answer bytes | peak RSS (MB) | slowest `me` during (ms) | wall (s) |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    const only = process.env.HOSTILE_ONLY;
    for (const [name, shape] of Object.entries(shapes)) {
      if (only && !name.startsWith(only)) continue;
      const body = shape(token);
      let peak = rssOf(child.pid!);
      let slowest = 0;
      let running = true;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 20);
      const probe = (async () => {
        while (running) {
          const started = performance.now();
          await post(JSON.stringify({ query: '{ me { id } }' }), token).catch(() => {});
          slowest = Math.max(slowest, performance.now() - started);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: concurrency }, () => post(body, token).catch(() => ({ status: 0, bytes: 0 }))));
      const wall = (performance.now() - started) / 1000;
      running = false;
      await probe;
      clearInterval(sampler);
      const statuses = [...new Set(answers.map((a) => a.status))].join('/');
      console.log(`| ${name} | ${statuses} | ${Math.max(...answers.map((a) => a.bytes)).toLocaleString('en')} | ${peak.toFixed(0)} | ${slowest.toFixed(0)} | ${wall.toFixed(1)} |`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
