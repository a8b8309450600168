// Message operations end to end: create/read/update/delete, owner-only rules,
// pagination and the query count of a page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';

let server: TestServer;
let alice: Account;
let bob: Account;

before(async () => {
  server = await startTestServer();
  alice = await registerUser(server, 'alice');
  bob = await registerUser(server, 'Bob');
});
after(() => server.stop());

const MESSAGE = `query ($id: ID!) { message(id: $id) { id content edited createdAt updatedAt author { username } } }`;
const UPDATE = `mutation ($id: ID!, $content: String!) { updateMessage(id: $id, input: { content: $content }) { id content edited createdAt updatedAt } }`;
const DELETE = `mutation ($id: ID!) { deleteMessage(id: $id) }`;
const PAGE = `query ($first: Int, $after: String) {
  messages(first: $first, after: $after) {
    totalCount
    edges { cursor node { id content author { username } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

describe('createMessage and message', () => {
  test('creates a trimmed message and reads it back with its author', async () => {
    const created = await createMessage(server, alice, '   hello world  ');
    assert.equal(created.content, 'hello world');
    const read = await server.gql(MESSAGE, { id: created.id }, bob.accessToken);
    assert.deepEqual(read.data?.message, {
      id: created.id,
      content: 'hello world',
      edited: false,
      createdAt: created.createdAt,
      updatedAt: created.createdAt,
      author: { username: 'alice' },
    });
  });

  test('an unknown id reads as null, a malformed id is BAD_USER_INPUT', async () => {
    const unknown = await server.gql(MESSAGE, { id: randomUUID() }, alice.accessToken);
    assert.equal(unknown.errors, undefined);
    assert.equal(unknown.data?.message, null);
    const malformed = await server.gql(MESSAGE, { id: 'not-an-id' }, alice.accessToken);
    assert.deepEqual(codes(malformed), ['BAD_USER_INPUT']);
  });

  test('content must be 1-4000 characters after trimming', async () => {
    for (const content of ['', '    ', 'x'.repeat(4001)]) {
      const result = await server.gql(`mutation ($c: String!) { createMessage(input: { content: $c }) { id } }`, { c: content }, alice.accessToken);
      assert.deepEqual(codes(result), ['BAD_USER_INPUT'], `content of length ${content.length}`);
    }
    const longest = await createMessage(server, alice, 'y'.repeat(4000));
    assert.equal(longest.content.length, 4000);
    const emoji = await createMessage(server, alice, '😀'.repeat(4000));
    assert.equal(emoji.content, '😀'.repeat(4000), '4,000 emoji are 4,000 characters');
  });

  test('text that could confuse storage round-trips exactly', async () => {
    const tricky = `Robert'); DROP TABLE "Message";-- \u202Eabc\u202C 漢字 \\ "quotes" \n newline`;
    const created = await createMessage(server, alice, tricky);
    const read = await server.gql(MESSAGE, { id: created.id }, alice.accessToken);
    assert.equal(read.data?.message.content, tricky);
  });

  test('requires authentication', async () => {
    const result = await server.gql(`mutation { createMessage(input: { content: "hi" }) { id } }`);
    assert.deepEqual(codes(result), ['UNAUTHENTICATED']);
    const read = await server.gql(`{ messages { totalCount } }`);
    assert.deepEqual(codes(read), ['UNAUTHENTICATED']);
  });
});

describe('sends that arrive together (one statement, one commit)', () => {
  test('40 concurrent sends from two authors are each written once, with their own content and author', async () => {
    const sends = await Promise.all(
      Array.from({ length: 40 }, (_, i) => createMessage(server, i % 2 === 0 ? alice : bob, `together ${i}`)),
    );
    assert.equal(new Set(sends.map((m) => m.id)).size, 40);
    const page = (await server.gql(PAGE, { first: 100 }, alice.accessToken)).data!.messages;
    const seen = new Map(page.edges.map((edge: any) => [edge.node.id, edge.node]));
    sends.forEach((sent, i) => {
      assert.equal(sent.content, `together ${i}`);
      assert.deepEqual(seen.get(sent.id), { id: sent.id, content: `together ${i}`, author: { username: i % 2 === 0 ? 'alice' : 'Bob' } });
    });
  });

  test('in one statement, a row the database refuses fails only its own send (with and without keys), and a repeated clientMessageId is written once', async () => {
    const local = await startTestServer();
    try {
      const writer = await registerUser(local);
      const authorId = (await local.gql('{ me { id } }', {}, writer.accessToken)).data!.me.id;
      // A fault in one row, the way a storage problem would show (an operator's trigger).
      await local.database.exec(
        local.database.provider === 'sqlite'
          ? `CREATE TRIGGER refuse_poison BEFORE INSERT ON "Message" WHEN NEW."content" = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END`
          : `CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."content" = 'poison' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER refuse_poison BEFORE INSERT ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
      );
      // Sends that reach the writer in the same turn of the event loop, as concurrent requests do.
      const now = new Date();
      const row = (content: string, clientMessageId: string | null = null) => ({
        id: randomUUID(), authorId, content, conversationId: null, clientMessageId, createdAt: now, updatedAt: now, edited: false,
      });
      const rows = [row('fine 0'), row('fine 1'), row('poison'), row('keyed', 'k-1'), row('keyed again', 'k-1'), row('fine 2')];
      local.resetQueries();
      const outcomes = await Promise.allSettled(rows.map((r) => local.app.services.messageInserts.insert(r)));
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'refused')),
        [true, true, 'refused', true, false, true],
      );
      assert.ok(local.queries.filter((sql) => /^\s*INSERT INTO "Message"/.test(sql)).length > 1, 'the failed statement was retried row by row');
      const page = (await local.gql(PAGE, { first: 50 }, writer.accessToken)).data!.messages;
      assert.deepEqual(page.edges.map((edge: any) => edge.node.content).sort(), ['fine 0', 'fine 1', 'fine 2', 'keyed']);

      // Without any key the batch is written without reading ids back: a refusal still fails only its own row.
      const keyless = [row('plain 0'), row('poison'), row('plain 1')];
      const keylessOutcomes = await Promise.allSettled(keyless.map((r) => local.app.services.messageInserts.insert(r)));
      assert.deepEqual(keylessOutcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'refused')), [true, 'refused', true]);
      local.app.services.timeline.clear(); // createMessage does this after its insert; the writer alone does not
      const after = (await local.gql(PAGE, { first: 50 }, writer.accessToken)).data!.messages;
      assert.deepEqual(after.edges.map((edge: any) => edge.node.content).sort(), ['fine 0', 'fine 1', 'fine 2', 'keyed', 'plain 0', 'plain 1']);
    } finally {
      await local.stop();
    }
  });
});

describe('updateMessage and deleteMessage', () => {
  test('the author updates: content, edited and updatedAt change', async () => {
    const created = await createMessage(server, alice, 'first draft');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await server.gql(UPDATE, { id: created.id, content: ' final ' }, alice.accessToken);
    const updated = result.data?.updateMessage;
    assert.equal(updated.content, 'final');
    assert.equal(updated.edited, true);
    assert.equal(updated.createdAt, created.createdAt);
    assert.ok(new Date(updated.updatedAt) > new Date(created.updatedAt), 'updatedAt moved forward');
    const read = await server.gql(MESSAGE, { id: created.id }, bob.accessToken);
    assert.equal(read.data?.message.content, 'final');
  });

  test('someone else gets FORBIDDEN and the message stays as it was', async () => {
    const created = await createMessage(server, alice, 'mine');
    assert.deepEqual(codes(await server.gql(UPDATE, { id: created.id, content: 'hacked' }, bob.accessToken)), ['FORBIDDEN']);
    assert.deepEqual(codes(await server.gql(DELETE, { id: created.id }, bob.accessToken)), ['FORBIDDEN']);
    const read = await server.gql(MESSAGE, { id: created.id }, alice.accessToken);
    assert.equal(read.data?.message.content, 'mine');
  });

  test('unknown ids are NOT_FOUND, malformed ids BAD_USER_INPUT, bad content BAD_USER_INPUT', async () => {
    assert.deepEqual(codes(await server.gql(UPDATE, { id: randomUUID(), content: 'x' }, alice.accessToken)), ['NOT_FOUND']);
    assert.deepEqual(codes(await server.gql(DELETE, { id: randomUUID() }, alice.accessToken)), ['NOT_FOUND']);
    assert.deepEqual(codes(await server.gql(DELETE, { id: '42' }, alice.accessToken)), ['BAD_USER_INPUT']);
    const created = await createMessage(server, alice, 'keep me');
    assert.deepEqual(codes(await server.gql(UPDATE, { id: created.id, content: ' ' }, alice.accessToken)), ['BAD_USER_INPUT']);
  });

  test('the author deletes: the id comes back and the message is gone', async () => {
    const created = await createMessage(server, alice, 'short-lived');
    const result = await server.gql(DELETE, { id: created.id }, alice.accessToken);
    assert.equal(result.data?.deleteMessage, created.id);
    assert.equal((await server.gql(MESSAGE, { id: created.id }, alice.accessToken)).data?.message, null);
    assert.deepEqual(codes(await server.gql(DELETE, { id: created.id }, alice.accessToken)), ['NOT_FOUND']);
  });
});

describe('pagination', () => {
  test('walks 3+ pages newest first while messages are inserted and deleted in between', async () => {
    const local = await startTestServer();
    try {
      const writer = await registerUser(local, 'writer');
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await createMessage(local, writer, `m${i}`)).id);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const result: any = await local.gql(PAGE, { first: 7, after }, writer.accessToken);
        const connection = result.data.messages;
        seen.push(...connection.edges.map((edge: any) => edge.node.id));
        assert.equal(connection.pageInfo.hasPreviousPage, after !== null);
        assert.equal(connection.pageInfo.endCursor, connection.edges.at(-1)?.cursor ?? null);
        pages++;
        if (pages === 1) {
          // Newer messages arrive, and an already-seen one and a not-yet-seen one disappear.
          await createMessage(local, writer, 'new 1');
          await createMessage(local, writer, 'new 2');
          await local.gql(DELETE, { id: ids[24] }, writer.accessToken);
          await local.gql(DELETE, { id: ids[3] }, writer.accessToken);
        }
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      const expected = [...ids].reverse().filter((id) => id !== ids[3]);
      assert.ok(pages >= 4, `walked ${pages} pages`);
      assert.deepEqual(seen, expected, 'every older message exactly once, newest first, none skipped');
      const total = await local.gql(PAGE, { first: 1 }, writer.accessToken);
      assert.equal(total.data.messages.totalCount, 25 + 2 - 2);
    } finally {
      await local.stop();
    }
  });

  test('first defaults to 20, allows 100, refuses 101 and negatives', async () => {
    const local = await startTestServer();
    try {
      const writer = await registerUser(local, 'bulk');
      for (let i = 0; i < 22; i++) await createMessage(local, writer, `n${i}`);
      const byDefault = await local.gql(`{ messages { edges { cursor } pageInfo { hasNextPage } } }`, {}, writer.accessToken);
      assert.equal(byDefault.data.messages.edges.length, 20);
      assert.equal(byDefault.data.messages.pageInfo.hasNextPage, true);
      const all = await local.gql(PAGE, { first: 100 }, writer.accessToken);
      assert.equal(all.data.messages.edges.length, 22);
      assert.equal(all.data.messages.pageInfo.hasNextPage, false);
      assert.deepEqual(codes(await local.gql(PAGE, { first: 101 }, writer.accessToken)), ['BAD_USER_INPUT']);
      assert.deepEqual(codes(await local.gql(PAGE, { first: -1 }, writer.accessToken)), ['BAD_USER_INPUT']);
      const nested = await local.gql(`{ me { messages(first: 101) { totalCount } } }`, {}, writer.accessToken);
      assert.deepEqual(codes(nested), ['BAD_USER_INPUT']);
    } finally {
      await local.stop();
    }
  });

  test('a garbage cursor is BAD_USER_INPUT', async () => {
    for (const cursor of ['garbage', Buffer.from('m1:abc:def').toString('base64url'), '']) {
      const result = await server.gql(PAGE, { first: 5, after: cursor }, alice.accessToken);
      assert.deepEqual(codes(result), ['BAD_USER_INPUT'], `cursor ${JSON.stringify(cursor)}`);
    }
  });

  test('messagesByUser lists one author, case-insensitively; an unknown user gives an empty connection', async () => {
    const local = await startTestServer();
    try {
      const carol = await registerUser(local, 'Carol');
      const dave = await registerUser(local, 'dave');
      for (let i = 0; i < 5; i++) await createMessage(local, carol, `carol ${i}`);
      await createMessage(local, dave, 'dave 0');
      const query = `query ($u: String!, $first: Int, $after: String) {
        messagesByUser(username: $u, first: $first, after: $after) {
          totalCount edges { node { content author { username } } } pageInfo { hasNextPage endCursor }
        }
      }`;
      const first = await local.gql(query, { u: 'CAROL', first: 3 }, dave.accessToken);
      assert.equal(first.data.messagesByUser.totalCount, 5);
      assert.deepEqual(first.data.messagesByUser.edges.map((e: any) => e.node.content), ['carol 4', 'carol 3', 'carol 2']);
      const second = await local.gql(query, { u: 'carol', first: 3, after: first.data.messagesByUser.pageInfo.endCursor }, dave.accessToken);
      assert.deepEqual(second.data.messagesByUser.edges.map((e: any) => e.node.content), ['carol 1', 'carol 0']);
      assert.equal(second.data.messagesByUser.pageInfo.hasNextPage, false);
      const nobody = await local.gql(query, { u: 'nobody' }, dave.accessToken);
      assert.deepEqual(nobody.data.messagesByUser, { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    } finally {
      await local.stop();
    }
  });

  test('User.messages pages with its own cursors', async () => {
    const local = await startTestServer();
    try {
      const erin = await registerUser(local, 'erin');
      for (let i = 0; i < 5; i++) await createMessage(local, erin, `e${i}`);
      const query = `query ($after: String) { me { messages(first: 2, after: $after) { edges { node { content } } pageInfo { hasNextPage endCursor } } } }`;
      const contents: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await local.gql(query, { after }, erin.accessToken);
        contents.push(...page.data.me.messages.edges.map((e: any) => e.node.content));
        if (!page.data.me.messages.pageInfo.hasNextPage) break;
        after = page.data.me.messages.pageInfo.endCursor;
      }
      assert.deepEqual(contents, ['e4', 'e3', 'e2', 'e1', 'e0']);
    } finally {
      await local.stop();
    }
  });

  test('user(username) and User.messages', async () => {
    const result = await server.gql(
      `query ($u: String!) { user(username: $u) { id username createdAt messages(first: 2) { totalCount edges { node { author { username } } } } } }`,
      { u: 'ALICE' },
      bob.accessToken,
    );
    const user = result.data.user;
    assert.equal(user.id, alice.id);
    assert.equal(user.username, 'alice');
    assert.ok(user.messages.totalCount >= 2);
    assert.equal(user.messages.edges.length, 2);
    assert.equal((await server.gql(`{ user(username: "ghost") { id } }`, {}, bob.accessToken)).data.user, null);
  });
});

describe('query count (no N+1)', () => {
  test('a page of 20 messages with authors and their messages costs a constant number of SQL queries', async () => {
    const local = await startTestServer();
    try {
      const authors: Account[] = [];
      for (let i = 0; i < 10; i++) authors.push(await registerUser(local, `author${i}`));
      for (let i = 0; i < 40; i++) await createMessage(local, authors[i % 10]!, `message ${i}`);
      const query = `query ($first: Int) { messages(first: $first) { totalCount edges { node { id author { id username messages(first: 3) { totalCount edges { node { id author { username } } } } } } } } }`;

      const countFor = async (first: number) => {
        local.resetQueries();
        const result = await local.gql(query, { first }, authors[0]!.accessToken);
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        assert.equal(result.data.messages.edges.length, first);
        return local.queries.length;
      };
      const forTwo = await countFor(2);
      const forTwenty = await countFor(20);
      if (process.env.SHOW_QUERIES) console.log(local.queries.join("\n"));
      // page + total + authors + their pages + their counts (+ nested authors, cached by the loader)
      assert.ok(forTwenty <= 6, `20 messages took ${forTwenty} queries`);
      assert.equal(forTwenty, forTwo, 'the number of queries does not grow with the page');

      // The batched nested pages hold each author's own newest messages.
      const result = await local.gql(query, { first: 20 }, authors[0]!.accessToken);
      for (const edge of result.data.messages.edges) {
        const author = edge.node.author;
        const own = await local.gql(`query ($u: String!) { messagesByUser(username: $u, first: 3) { edges { node { id } } } }`, { u: author.username }, authors[0]!.accessToken);
        assert.deepEqual(author.messages.edges.map((e: any) => e.node.id), own.data.messagesByUser.edges.map((e: any) => e.node.id));
        assert.equal(author.messages.totalCount, 4);
      }
    } finally {
      await local.stop();
    }
  });
});

describe('the first page is never stale on the instance that wrote', () => {
  test('a create, an edit and a delete show on the very next first page, however often it was read before', async () => {
    const firstPage = async () => (await server.gql(`{ messages(first: 5) { edges { node { id content edited } } } }`, {}, bob.accessToken)).data.messages.edges.map((e: any) => e.node);
    for (let i = 0; i < 3; i++) await firstPage(); // served from memory from now on
    const created = await createMessage(server, alice, 'fresh on the timeline');
    assert.deepEqual((await firstPage())[0], { id: created.id, content: 'fresh on the timeline', edited: false });
    await firstPage();
    await server.gql(UPDATE, { id: created.id, content: 'fresh, edited' }, alice.accessToken);
    assert.deepEqual((await firstPage())[0], { id: created.id, content: 'fresh, edited', edited: true });
    await server.gql(DELETE, { id: created.id }, alice.accessToken);
    assert.ok(!(await firstPage()).some((node: { id: string }) => node.id === created.id), 'the deleted message is gone');
  });

  test("an author's first page (messagesByUser) shows their create and delete at once", async () => {
    const byAlice = async () => (await server.gql(`{ messagesByUser(username: "alice", first: 3) { edges { node { id } } } }`, {}, bob.accessToken)).data.messagesByUser.edges.map((e: any) => e.node.id);
    await byAlice();
    await byAlice();
    const created = await createMessage(server, alice, 'by alice, fresh');
    assert.equal((await byAlice())[0], created.id);
    await server.gql(DELETE, { id: created.id }, alice.accessToken);
    assert.ok(!(await byAlice()).includes(created.id));
  });

  test('concurrent reads during writes never keep an older page', async () => {
    const reads = Array.from({ length: 20 }, () => server.gql(`{ messages(first: 3) { edges { node { id } } } }`, {}, bob.accessToken));
    const created = await Promise.all([createMessage(server, alice, 'raced 1'), createMessage(server, alice, 'raced 2')]);
    await Promise.all(reads);
    const ids = (await server.gql(`{ messages(first: 3) { edges { node { id } } } }`, {}, bob.accessToken)).data.messages.edges.map((e: any) => e.node.id);
    for (const message of created) assert.ok(ids.includes(message.id), 'both writes are on the page read after them');
  });
});
