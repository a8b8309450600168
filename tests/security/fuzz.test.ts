// Property-based fuzzing of the HTTP endpoint with fast-check: random
// documents (garbage, and schema-shaped ones with hostile arguments) and
// random variables. Whatever arrives: never a 5xx, always a JSON answer,
// never a hang, and the server stays healthy with its data intact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';

let server: TestServer;
let alice: Account;
before(async () => {
  server = await startTestServer({ RATE_LIMIT_LOGIN_PER_IP: '1000000', RATE_LIMIT_REGISTER_PER_IP: '1000000', RATE_LIMIT_LOGIN_PER_USERNAME: '1000000' });
  alice = await registerUser(server, 'alice');
  await createMessage(server, alice, 'seed message');
});
after(() => server.stop());

const RESPONSE_BOUND_MS = 5000;

const hostileString = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', "' OR 1=1 --", '😀'.repeat(10), 'a'.repeat(5000), '__proto__', 'constructor'),
);
const hostileInt = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 100, 101, 2 ** 31 - 1, -(2 ** 31)));

const literal = fc.oneof(
  hostileString.map((s) => JSON.stringify(s)),
  hostileInt.map(String),
  fc.constantFrom('null', 'true', '1.5', '[]', '{}', '$v'),
);

const field: fc.Arbitrary<string> = fc.letrec((tie) => ({
  field: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('id', 'content', 'username', 'createdAt', 'edited', 'totalCount', 'cursor', '__typename', 'nope'),
    fc.tuple(fc.constantFrom('messages', 'author', 'edges', 'node', 'pageInfo', 'me'), fc.array(literal, { maxLength: 2 }), fc.array(tie('field'), { minLength: 1, maxLength: 3 })).map(
      ([name, args, children]) => `${name}${args.length ? `(first: ${args[0]}${args[1] ? `, after: ${args[1]}` : ''})` : ''} { ${children.join(' ')} }`,
    ),
  ),
})).field;

const rootOperation = fc.oneof(
  fc.array(field, { minLength: 1, maxLength: 3 }).map((fields) => `query Q($v: String) { ${fields.join(' ')} }`),
  fc.tuple(literal, fc.array(field, { maxLength: 2 })).map(([arg, fields]) => `{ message(id: ${arg}) { id ${fields.join(' ')} } user(username: ${arg}) { id } }`),
  // One mutation field per operation, so a created message is always reported
  // (a second failing non-null field would null the whole response).
  literal.map((a) => `mutation { createMessage(input: { content: ${a} }) { id } }`),
  fc.tuple(literal, literal).map(([a, b]) => `mutation { updateMessage(id: ${b}, input: { content: ${a} }) { id } }`),
  fc.tuple(literal, literal).map(([a, b]) => `mutation { login(input: { username: ${a}, password: ${b} }) { accessToken } }`),
  fc.tuple(literal).map(([a]) => `mutation { deleteMessage(id: ${a}) }`),
  fc.string({ maxLength: 200 }), // plain garbage
);

test('random documents and variables never cause a 5xx, a non-JSON answer or a hang', async () => {
  const before = (await server.gql(`{ messages(first: 0) { totalCount } }`, {}, alice.accessToken)).data.messages.totalCount;
  let created = 0;
  await fc.assert(
    fc.asyncProperty(rootOperation, fc.option(fc.jsonValue({ maxDepth: 2 })), fc.boolean(), async (query, variables, authenticated) => {
      const started = performance.now();
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authenticated ? { authorization: `Bearer ${alice.accessToken}` } : {}) },
        body: JSON.stringify({ query, variables: variables ?? undefined }),
        signal: AbortSignal.timeout(RESPONSE_BOUND_MS),
      });
      const text = await response.text();
      assert.ok(response.status < 500, `${response.status} for ${query}: ${text.slice(0, 200)}`);
      const body = JSON.parse(text) as { data?: { createMessage?: unknown }; errors?: Array<{ extensions?: { code?: string; stacktrace?: unknown } }> };
      assert.ok(body.data !== undefined || body.errors !== undefined);
      for (const error of body.errors ?? []) {
        assert.notEqual(error.extensions?.code, 'INTERNAL_SERVER_ERROR', `internal error for ${query}: ${text.slice(0, 300)}`);
      }
      if (body.data?.createMessage) created++;
      assert.ok(performance.now() - started < RESPONSE_BOUND_MS);
    }),
    { numRuns: 300, interruptAfterTimeLimit: 60_000 },
  );
  assert.equal((await fetch(server.url.replace('/graphql', '/healthz'))).status, 200);
  const after = (await server.gql(`{ messages(first: 0) { totalCount } }`, {}, alice.accessToken)).data.messages.totalCount;
  assert.equal(after, before + created, 'only the accepted createMessage calls changed data');
});
