// The operation log: the real server writes through the real logger
// (createLogger, with its redaction) into memory, and the lines are read
// back: one per GraphQL operation over HTTP, a start and a stop line per
// subscription, and never a password, a token or a message's content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { CREATE, REGISTER, codes, postGraphQL, testEnv, wsClient } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';

let output = '';
const lines = () => output.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
const operations = () => lines().filter((line) => line.msg === 'graphql operation');

let database: TestDatabase;
let app: RunningApp;

before(async () => {
  database = await createTestDatabase();
  const config = loadConfig(testEnv(database.url, { LOG_LEVEL: 'info' }));
  const memory = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  app = await startApp(config, { log: createLogger(config.logLevel, config.logFormat, memory) });
});
after(async () => {
  await app.stop();
  await database.drop();
});

const PASSWORD = 'a password nobody may log';
const CONTENT = 'the content of a private message';

test('one line per operation with its request id, name, type, duration, viewer, outcome and error codes; no password, token or content anywhere', async () => {
  const ready = lines().find((line) => line.msg === 'messaging API ready');
  assert.deepEqual([ready?.url, ready?.database, ready?.redis], [app.url, database.provider, false], 'start-up says where, on what, with or without Redis');

  const registered = await postGraphQL(app.url, REGISTER, { input: { username: 'logged_user', password: PASSWORD } });
  const { accessToken, refreshToken, user } = registered.data.register;

  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: CREATE, variables: { content: CONTENT } }),
  });
  assert.equal(response.status, 200);
  const requestId = response.headers.get('x-request-id');
  // Refused (a NUL cannot be stored), and its content must not reach the log either.
  const refused = await postGraphQL(app.url, CREATE, { content: `${CONTENT}\u0000 refused` }, accessToken);
  assert.deepEqual(codes(refused), ['BAD_USER_INPUT']);
  await postGraphQL(app.url, `mutation Refresh($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`, { t: refreshToken });

  // The line is written as the answer leaves: wait until all four are in.
  while (operations().length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
  const [register, create, invalid, refresh] = operations();
  const { level, operationName, operationType, durationMs, viewerId, outcome, errorCodes } = register!;
  assert.deepEqual(
    { level, operationName, operationType, durationMs: typeof durationMs, viewerId, outcome, errorCodes },
    { level: 30, operationName: 'Register', operationType: 'mutation', durationMs: 'number', viewerId: null, outcome: 'ok', errorCodes: [] },
  );
  assert.match(register!.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(create!.requestId, requestId, 'the id the client got in x-request-id');
  assert.deepEqual([create!.operationName, create!.viewerId, create!.outcome, create!.errorCodes], ['Create', user.id, 'ok', []]);
  assert.deepEqual([invalid!.operationName, invalid!.viewerId, invalid!.outcome, invalid!.errorCodes], ['Create', user.id, 'error', ['BAD_USER_INPUT']]);
  assert.deepEqual([refresh!.operationName, refresh!.outcome], ['Refresh', 'ok']);
  assert.ok(create!.durationMs >= 0);
  assert.equal(new Set(operations().map((line) => line.requestId)).size, 4, 'one request id per request');
  for (const line of operations()) {
    assert.deepEqual(
      Object.keys(line).filter((key) => !['level', 'time', 'pid', 'hostname', 'msg'].includes(key)).sort(),
      ['durationMs', 'errorCodes', 'operationName', 'operationType', 'outcome', 'requestId', 'viewerId'],
      'nothing but these fields',
    );
  }

  for (const secret of [PASSWORD, accessToken, refreshToken, CONTENT]) assert.ok(!output.includes(secret), `the log holds ${secret.slice(0, 20)}…`);
});

test('a subscription over WebSocket logs its start and its stop, with its viewer, duration and events sent', async () => {
  const registered = await postGraphQL(app.url, REGISTER, { input: { username: 'ws_logged_user', password: PASSWORD } });
  const { accessToken, user } = registered.data.register;
  const client = wsClient(app.url, accessToken);
  try {
    const live = await subscribe(client, 'subscription Watch { messageCreated { id content } }');
    await postGraphQL(app.url, CREATE, { content: CONTENT }, accessToken);
    assert.equal((await live.next()).messageCreated.content, CONTENT);
    live.stop();
    const stopped = () => lines().find((line) => line.msg === 'subscription stopped' && line.viewerId === user.id);
    while (!stopped()) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = lines().find((line) => line.msg === 'subscription started' && line.viewerId === user.id);
    assert.deepEqual([started?.operationName, started?.subscription], ['Watch', 'messageCreated']);
    assert.deepEqual([stopped()!.operationName, stopped()!.subscription, stopped()!.events], ['Watch', 'messageCreated', 1]);
    assert.equal(typeof stopped()!.durationMs, 'number');
    for (const secret of [PASSWORD, accessToken, CONTENT]) assert.ok(!output.includes(secret), `the log holds ${secret.slice(0, 20)}…`);
  } finally {
    await client.dispose();
  }
});
