// Traces: the server runs as its own process (tracing is set up by main.ts
// before the app loads) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// collector written here (node:http receiving POST /v1/traces as OTLP/JSON).
// One GraphQL request that writes to the database must arrive as one trace:
// the HTTP server span, the GraphQL operation span under it, and Prisma's
// spans (down to the SQL statements) under that.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { REGISTER } from '../support/server.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}

const SERVER = 2; // OTLP SpanKind

let collector: Server;
const spans: OtlpSpan[] = [];
const services = new Set<unknown>();
let database: TestDatabase;
let server: ServerProcess;

before(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      assert.equal(req.url, '/v1/traces');
      assert.match(req.headers['content-type'] ?? '', /^application\/json/);
      for (const resource of JSON.parse(body).resourceSpans ?? []) {
        services.add(resource.resource.attributes.find((a: { key: string }) => a.key === 'service.name')?.value.stringValue);
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  database = await createTestDatabase('sqlite');
  server = await spawnServer(database.url, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50', // export within 50 ms instead of 5 s
  });
});
after(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  collector.closeAllConnections();
  collector.close();
  await database.drop();
});

test('one request, one trace: HTTP server span -> GraphQL operation span -> Prisma spans, continuing the caller\'s traceparent', async () => {
  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpan = '00f067aa0ba902b7';
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${callerTrace}-${callerSpan}-01` },
    body: JSON.stringify({ query: REGISTER, variables: { input: { username: 'traced_user', password: 'a traced password' } } }),
  });
  assert.equal(((await response.json()) as { data?: { register?: unknown } }).data?.register !== undefined, true);

  const isHttp = (span: OtlpSpan) => span.kind === SERVER && span.traceId === callerTrace;
  // Spans are exported as they end, children before their parents: the HTTP span comes last.
  const deadline = Date.now() + 10_000;
  while (!spans.some(isHttp)) {
    if (Date.now() > deadline) assert.fail(`spans received: ${spans.map((span) => span.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  assert.deepEqual([...services], ['messaging-api']);
  const http = spans.filter(isHttp);
  assert.equal(http.length, 1, 'one HTTP server span (health checks are not traced)');
  assert.equal(http[0]!.parentSpanId, callerSpan, 'the trace continues the caller\'s');
  const trace = spans.filter((span) => span.traceId === callerTrace);
  // Start-up work (the first connection, per-connection PRAGMAs) and background pruning are traces of their own.
  assert.ok(spans.filter((span) => span.traceId !== callerTrace).every((span) => span.name.startsWith('prisma:')));

  const graphql = trace.filter((span) => span.name === 'mutation Register');
  assert.equal(graphql.length, 1);
  assert.equal(graphql[0]!.parentSpanId, http[0]!.spanId, 'the GraphQL span is the HTTP span\'s child');
  const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;
  assert.equal(attribute(graphql[0]!, 'graphql.operation.name'), 'Register');
  assert.equal(attribute(graphql[0]!, 'graphql.operation.type'), 'mutation');

  // One tree: every span of the trace hangs under the HTTP span; each SQL statement under the
  // GraphQL span (Prisma nests its own: operation -> transaction -> db_query).
  const byId = new Map(trace.map((span) => [span.spanId, span]));
  const under = (span: OtlpSpan, ancestor: OtlpSpan): boolean => {
    for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) {
      if (parent === ancestor) return true;
    }
    return false;
  };
  for (const span of trace) if (span !== http[0]) assert.ok(under(span, http[0]!), `${span.name} hangs under the HTTP span`);
  const statements = trace.filter((span) => span.name === 'prisma:client:db_query');
  assert.ok(statements.length >= 2, 'the user and the session are written');
  for (const span of statements) assert.ok(under(span, graphql[0]!), `${span.name} is under the GraphQL span`);
  assert.ok(statements.some((span) => /INSERT INTO/i.test(attribute(span, 'db.query.text') ?? '')));
  assert.ok(!JSON.stringify(spans).includes('a traced password'), 'no variable reaches a span');
});
