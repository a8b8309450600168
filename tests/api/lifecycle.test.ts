// The server as a process: restarts, signals, crashes and bad configuration.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { gzipSync } from 'node:zlib';
import { REGISTER, CREATE, postGraphQL, testEnv, wsClient } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';
import { spawnServer, runToExit } from '../support/process.js';
import { createTestDatabase } from '../support/database.js';

const LOGIN = `mutation ($u: String!) { login(input: { username: $u, password: "persistent pw" }) { accessToken } }`;

describe('process lifecycle', () => {
  test('npm start runs the bundled build: HTTP, the hashing worker, WebSocket, and the parts loaded on first use', async () => {
    const database = await createTestDatabase();
    try {
      const server = await spawnServer(database.url, { NODE_ENV: 'production', APP_PAGE: 'on' }, 'npmStart');
      assert.match(server.output(), /"msg":"messaging API ready"/);
      const registered = await postGraphQL(server.url, REGISTER, { input: { username: 'bundled', password: 'persistent pw' } });
      assert.equal(registered.data?.register.user.username, 'bundled', JSON.stringify(registered));
      const token = (await postGraphQL(server.url, LOGIN, { u: 'bundled' })).data?.login.accessToken;
      assert.ok(token, 'login checks the password in the hashing worker');

      const client = wsClient(server.url, token);
      const created = await subscribe(client, 'subscription { messageCreated { id content author { username } } }');
      const sent = await postGraphQL(server.url, CREATE, { content: 'from the bundle' }, token);
      assert.deepEqual((await created.next()).messageCreated, { id: sent.data.createMessage.id, content: 'from the bundle', author: { username: 'bundled' } });
      await client.dispose();

      // A compressed body (body-parser) and the chat page (serve-static) come from chunks loaded when first needed.
      const compressed = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` },
        body: gzipSync(JSON.stringify({ query: '{ messages(first: 1) { edges { node { content } } } }' })),
      });
      assert.deepEqual(await compressed.json(), { data: { messages: { edges: [{ node: { content: 'from the bundle' } }] } } });
      const page = await fetch(`${server.base}/app/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="app">|<script type="module"/);

      server.child.kill('SIGTERM');
      assert.equal((await server.exited).code, 0, server.output());
    } finally {
      await database.drop();
    }
  });

  test('SIGTERM exits 0 after finishing an in-flight request; data survives a restart', async () => {
    const database = await createTestDatabase();
    try {
      // Production mode, as deployed (signal handling differs by NODE_ENV in Apollo).
      const first = await spawnServer(database.url, { BCRYPT_ROUNDS: '12', NODE_ENV: 'production' });
      // A slow request (bcrypt cost 12) is in flight when the signal arrives.
      const inFlight = postGraphQL(first.url, REGISTER, { input: { username: 'survivor', password: 'persistent pw' } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      first.child.kill('SIGTERM');
      const registered = await inFlight;
      assert.equal(registered.data?.register.user.username, 'survivor', 'the in-flight request completed');
      const exit = await first.exited;
      assert.equal(exit.code, 0, first.output());
      assert.match(first.output(), /"msg":"stopped"/, 'the database was closed before exit');

      const second = await spawnServer(database.url);
      const login = await postGraphQL(second.url, LOGIN, { u: 'survivor' });
      assert.ok(login.data?.login.accessToken, JSON.stringify(login));
      const created = await postGraphQL(second.url, CREATE, { content: 'still here' }, login.data.login.accessToken);
      assert.ok(created.data?.createMessage.id);
      second.child.kill('SIGINT');
      assert.equal((await second.exited).code, 0, 'SIGINT exits 0 too');
    } finally {
      await database.drop();
    }
  });

  test('kill -9 during writes loses no acknowledged message and leaves a sound database', async () => {
    const database = await createTestDatabase();
    try {
      const server = await spawnServer(database.url);
      const token = (await postGraphQL(server.url, REGISTER, { input: { username: 'writer', password: 'persistent pw' } })).data.register.accessToken;
      const acknowledged: string[] = [];
      let killed = false;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; !killed; i++) {
          try {
            const result = await postGraphQL(server.url, CREATE, { content: `w${w} #${i}` }, token);
            if (result.data) acknowledged.push(result.data.createMessage.id);
          } catch {
            return; // connection reset by the kill
          }
          if (acknowledged.length >= 150 && !killed) {
            killed = true;
            server.child.kill('SIGKILL');
          }
        }
      });
      await Promise.all(writers);
      assert.equal((await server.exited).signal, 'SIGKILL');

      const restarted = await spawnServer(database.url);
      const login = (await postGraphQL(restarted.url, LOGIN, { u: 'writer' })).data.login.accessToken;
      const stored = new Set<string>();
      let after: string | null = null;
      for (;;) {
        const page: any = await postGraphQL(restarted.url, `query ($a: String) { messages(first: 100, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { a: after }, login);
        for (const edge of page.data.messages.edges) stored.add(edge.node.id);
        if (!page.data.messages.pageInfo.hasNextPage) break;
        after = page.data.messages.pageInfo.endCursor;
      }
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged messages lost`);
      restarted.child.kill('SIGTERM');
      await restarted.exited;

      if (database.file) {
        const db = new Database(database.file, { readonly: true });
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        db.close();
      }
    } finally {
      await database.drop();
    }
  });

  test('two servers starting at once on a new database both come up and share it', async () => {
    const database = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([spawnServer(database.url), spawnServer(database.url)]);
      const registered = await postGraphQL(a.url, REGISTER, { input: { username: 'shared', password: 'persistent pw' } });
      assert.ok(registered.data?.register, JSON.stringify(registered));
      const login = await postGraphQL(b.url, LOGIN, { u: 'shared' });
      assert.ok(login.data?.login.accessToken, 'the second server sees the first one\'s write');
      const migrationsLogged = [a.output(), b.output()].filter((out) => out.includes('applied database migrations'));
      assert.equal(migrationsLogged.length, 1, 'exactly one process applied the migrations');
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      assert.deepEqual([(await a.exited).code, (await b.exited).code], [0, 0]);
    } finally {
      await database.drop();
    }
  });

  test('a bad environment value stops the server with one line naming the variable', async () => {
    const database = await createTestDatabase();
    try {
      const cases: Array<[Record<string, string>, RegExp]> = [
        // Each variable's rules are covered in tests/unit/config.test.ts; here, the process behaviour.
        [{ BCRYPT_ROUNDS: 'twelve' }, /BCRYPT_ROUNDS/],
        [{ NODE_ENV: 'production', JWT_SECRET: '' }, /JWT_SECRET.*required/],
      ];
      for (const [env, expected] of cases) {
        const { code, output } = await runToExit({ ...process.env, ...testEnv(database.url, env) });
        assert.equal(code, 1, JSON.stringify(env));
        const lines = output.trim().split('\n');
        assert.equal(lines.length, 1, output);
        assert.match(lines[0]!, expected);
      }
    } finally {
      await database.drop();
    }
  });
});
