// Hostile and unusual text: stored exactly, or refused with BAD_USER_INPUT;
// never stored altered, never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CREATE, REGISTER, codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';

let server: TestServer;
let alice: Account;
before(async () => {
  server = await startTestServer();
  alice = await registerUser(server, 'alice');
});
after(() => server.stop());

const READ = `query ($id: ID!) { message(id: $id) { content } }`;
const total = async () => (await server.gql(`{ messages(first: 0) { totalCount } }`, {}, alice.accessToken)).data.messages.totalCount as number;

test('text that survives storage round-trips exactly', async () => {
  const samples = [
    '😀'.repeat(4000),
    '\u202Eevil.exe\u202C and \u200F right-to-left \u200E marks',
    `'; DROP TABLE "Message"; -- \\" OR 1=1 /* */`,
    'tab\there, newline\nthere, CR\r\nand a bell \u0007',
    'combining: e\u0301 vs é, ZWJ family: 👨‍👩‍👧‍👦, flags 🇫🇷',
    '<script>alert(1)</script>',
    '\uFEFFBOM at the start',
  ];
  for (const content of samples) {
    const created = await createMessage(server, alice, content);
    const read = await server.gql(READ, { id: created.id }, alice.accessToken);
    assert.equal(read.data.message.content, content.trim(), JSON.stringify(content.slice(0, 30)));
  }
});

test('text that cannot be stored faithfully is refused and nothing is stored', async () => {
  const before = await total();
  for (const content of ['nul \u0000 byte', 'lone high \uD800 surrogate', 'lone low \uDC00 surrogate', '😀'.repeat(4001), '\u0000']) {
    const result = await server.gql(CREATE, { content }, alice.accessToken);
    assert.deepEqual(codes(result), ['BAD_USER_INPUT'], JSON.stringify(content.slice(0, 20)));
  }
  assert.equal(await total(), before);
});

test('raw JSON with escaped lone surrogates is refused too (not replaced by U+FFFD)', async () => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` },
    body: '{"query":"mutation ($c: String!) { createMessage(input: { content: $c }) { id } }","variables":{"c":"a\\ud83d b"}}',
  });
  const body = (await response.json()) as { errors?: Array<{ extensions: { code: string } }> };
  assert.equal(body.errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
});

test('lookalike usernames cannot register as someone else', async () => {
  await registerUser(server, 'admin');
  const attempts: Array<[string, string]> = [
    ['ADMIN', 'USERNAME_TAKEN'], // case
    ['ａｄｍｉｎ', 'USERNAME_TAKEN'], // fullwidth, folded by NFKC
    ['аdmin', 'BAD_USER_INPUT'], // Cyrillic а: not an allowed letter
    ['admin\u200B', 'BAD_USER_INPUT'], // zero-width space
    ['ad\u0000min', 'BAD_USER_INPUT'],
  ];
  for (const [username, code] of attempts) {
    const result = await server.gql(REGISTER, { input: { username, password: 'long enough' } });
    assert.deepEqual(codes(result), [code], JSON.stringify(username));
  }
});

test('wrongly typed or oversized variables are refused without a 500', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    [CREATE, { content: 42 }],
    [CREATE, { content: null }],
    [CREATE, { content: { nested: true } }],
    [READ, { id: ['a', 'b'] }],
    [`query ($f: Int) { messages(first: $f) { totalCount } }`, { f: 2 ** 40 }],
    [`query ($f: Int) { messages(first: $f) { totalCount } }`, { f: 'ten' }],
  ];
  for (const [query, variables] of cases) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` },
      body: JSON.stringify({ query, variables }),
    });
    assert.ok(response.status < 500, `${response.status} for ${JSON.stringify(variables)}`);
    const body = (await response.json()) as { errors?: Array<{ extensions: { code: string } }> };
    assert.equal(body.errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(variables));
  }
});
