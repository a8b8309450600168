// GET /metrics (Prometheus text format): scraped before and after real
// operations over HTTP and graphql-ws, the counters move by exactly what was
// done; METRICS_TOKEN and METRICS_PORT keep it from whoever reaches the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CREATE, codes, createMessage, registerUser, startTestServer, type Account, type TestServer } from '../support/server.js';
import { subscribe } from '../support/subscriptions.js';

/** Samples of a Prometheus text answer: `name{a="x",b="y"}` -> value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${line}`);
    samples.set(match[1]! + (match[2] ?? ''), Number(match[3]));
  }
  return samples;
}

async function scrape(url: string, token?: string): Promise<Map<string, number>> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parse(await response.text());
}

/** A sample's value, 0 when absent (a labelled counter appears at its first increment). */
const value = (samples: Map<string, number>, key: string) => samples.get(key) ?? 0;

async function until(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('GET /metrics on the API port', () => {
  let server: TestServer;
  let alice: Account;
  let metricsUrl: string;

  before(async () => {
    server = await startTestServer({ RATE_LIMIT_LOGIN_PER_USERNAME: '1' });
    alice = await registerUser(server);
    metricsUrl = server.app.metricsUrl;
  });
  after(() => server.stop());

  test('operations by name, type and outcome, errors by code, rate-limit refusals and SQL statements move by what was done', async () => {
    assert.equal(metricsUrl, server.url.replace(/graphql$/, 'metrics'));
    const before = await scrape(metricsUrl);

    const me = await server.gql('query Me { me { id } }', {}, alice.accessToken);
    assert.equal(me.data.me.id, alice.id);
    assert.deepEqual(codes(await server.gql(CREATE, { content: '   ' }, alice.accessToken)), ['BAD_USER_INPUT']);
    await createMessage(server, alice, 'counted');
    const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }';
    const wrong = { input: { username: alice.username, password: 'not the password' } };
    assert.deepEqual(codes(await server.gql(LOGIN, wrong)), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await server.gql(LOGIN, wrong)), ['RATE_LIMITED']);

    const now = await scrape(metricsUrl);
    const moved = (key: string) => value(now, key) - value(before, key);
    const count = (labels: string) => `messaging_graphql_operation_duration_seconds_count{${labels}}`;
    assert.equal(moved(count('operation="Me",type="query",outcome="ok"')), 1);
    assert.equal(moved(count('operation="Create",type="mutation",outcome="error"')), 1);
    assert.equal(moved(count('operation="Create",type="mutation",outcome="ok"')), 1);
    assert.equal(moved(count('operation="Login",type="mutation",outcome="error"')), 2);
    assert.equal(moved('messaging_graphql_errors_total{operation="Create",code="BAD_USER_INPUT"}'), 1);
    assert.equal(moved('messaging_graphql_errors_total{operation="Login",code="UNAUTHENTICATED"}'), 1);
    assert.equal(moved('messaging_graphql_errors_total{operation="Login",code="RATE_LIMITED"}'), 1);
    assert.equal(moved('messaging_rate_limit_refusals_total{operation="Login"}'), 1);
    // The histogram's buckets are cumulative: the slowest one holds every operation.
    assert.equal(value(now, `messaging_graphql_operation_duration_seconds_bucket{le="+Inf",operation="Me",type="query",outcome="ok"}`), value(now, count('operation="Me",type="query",outcome="ok"')));
    // createMessage is one INSERT; every operation read the database (sessions, users, messages).
    assert.ok(moved('messaging_db_query_duration_seconds_count{statement="insert"}') >= 1);
    assert.ok(moved('messaging_db_query_duration_seconds_count{statement="select"}') >= 1);
    assert.equal(moved('messaging_events_published_total{topic="MESSAGE_CREATED"}'), 1);
    // The process's own figures, through prom-client's default metrics.
    assert.ok(now.has('nodejs_eventloop_lag_seconds'));
    assert.ok(value(now, 'process_cpu_user_seconds_total') > 0);
  });

  test('a subscription over graphql-ws: sockets and subscriptions while open, each event published and delivered', async () => {
    const bob = await registerUser(server);
    const before = await scrape(metricsUrl);
    const moved = (now: Map<string, number>, key: string) => value(now, key) - value(before, key);
    const SOCKETS = 'messaging_websocket_connections_active';
    const LIVE = 'messaging_subscriptions_active{subscription="messageCreated"}';

    const client = server.ws(bob.accessToken);
    const created = await subscribe(client, 'subscription Live { messageCreated { id } }');
    await until('the subscription to count', async () => moved(await scrape(metricsUrl), LIVE) === 1);
    assert.equal(moved(await scrape(metricsUrl), SOCKETS), 1);

    const message = await createMessage(server, alice, 'delivered');
    assert.equal((await created.next()).messageCreated.id, message.id);
    const during = await scrape(metricsUrl);
    assert.equal(moved(during, 'messaging_events_published_total{topic="MESSAGE_CREATED"}'), 1);
    assert.equal(moved(during, 'messaging_events_delivered_total{subscription="messageCreated"}'), 1);

    created.stop();
    await until('the subscription to end', async () => moved(await scrape(metricsUrl), LIVE) === 0);
    await client.dispose();
    await until('the socket to close', async () => moved(await scrape(metricsUrl), SOCKETS) === 0);
  });
});

describe('METRICS_TOKEN and METRICS_PORT', () => {
  const token = 'metrics-token-for-the-tests';
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ METRICS_TOKEN: token, METRICS_PORT: '0' });
  });
  after(() => server.stop());

  test('/metrics answers on its own port only, and only to the bearer of METRICS_TOKEN', async () => {
    const { metricsUrl } = server.app;
    assert.notEqual(new URL(metricsUrl).port, String(server.app.port));
    assert.equal((await fetch(server.url.replace(/graphql$/, 'metrics'))).status, 404, 'not on the API port');

    for (const authorization of [undefined, `Bearer ${token}x`, token, 'Bearer ']) {
      const response = await fetch(metricsUrl, authorization ? { headers: { authorization } } : {});
      assert.equal(response.status, 401, `authorization: ${authorization}`);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.doesNotMatch(await response.text(), /messaging_/);
    }
    assert.ok((await scrape(metricsUrl, token)).has('nodejs_eventloop_lag_seconds'));
    assert.equal((await fetch(metricsUrl.replace(/metrics$/, 'graphql'))).status, 404, 'the metrics port serves nothing else');
  });

  test('the metrics port closes when the app stops', async () => {
    const other = await startTestServer({ METRICS_PORT: '0' });
    const { metricsUrl } = other.app;
    assert.equal((await fetch(metricsUrl)).status, 200);
    await other.stop();
    await assert.rejects(fetch(metricsUrl), 'nothing listens any more');
  });
});
