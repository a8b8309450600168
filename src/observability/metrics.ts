// Prometheus metrics (prom-client). Each app instance has its own registry,
// so several servers in one process (the tests) count separately and never
// clash over a metric name. What describes the process itself (event-loop
// lag, CPU, memory, GC, handles: prom-client's default metrics) is collected
// once per process into one registry of its own, since every app instance of
// a process shares those figures, and is served beside each instance's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Most distinct operation names kept as label values; others count as "other" (names are chosen by clients). */
export const MAX_OPERATION_NAMES = 200;

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export type OperationOutcome = 'ok' | 'error';

export class Metrics {
  readonly registry = new Registry();
  private readonly process = processMetrics();
  private readonly operationNames = new Set<string>();

  private readonly operations = new Histogram({
    name: 'messaging_graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP, from request to response, by operation name, type and outcome (its _count is the number of operations)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly errors = new Counter({
    name: 'messaging_graphql_errors_total',
    help: 'Errors in GraphQL answers over HTTP, by operation name and extensions.code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  private readonly rateLimited = new Counter({
    name: 'messaging_rate_limit_refusals_total',
    help: 'Operations refused with RATE_LIMITED (login, register, refresh limits; a full password-hashing queue), by operation name',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  private readonly webSockets = new Gauge({
    name: 'messaging_websocket_connections_active',
    help: 'Open WebSocket connections on /graphql',
    registers: [this.registry],
  });

  private readonly subscriptions = new Gauge({
    name: 'messaging_subscriptions_active',
    help: 'Running GraphQL subscriptions over WebSocket, by root field',
    labelNames: ['subscription'] as const,
    registers: [this.registry],
  });

  private readonly published = new Counter({
    name: 'messaging_events_published_total',
    help: 'Events this instance handed to the event bus (in process, or Redis), by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  private readonly delivered = new Counter({
    name: 'messaging_events_delivered_total',
    help: 'Subscription events sent to WebSocket clients, by root field of the subscription',
    labelNames: ['subscription'] as const,
    registers: [this.registry],
  });

  private readonly queries = new Histogram({
    name: 'messaging_db_query_duration_seconds',
    help: 'SQL statements Prisma sent, by kind of statement (select, insert, update, delete, other)',
    labelNames: ['statement'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text of this instance's metrics and of the process's. */
  async text(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), this.process.metrics()]);
    return `${own}\n${process}`;
  }

  /**
   * The label value for an operation name: the name while fewer than
   * MAX_OPERATION_NAMES distinct ones were seen, so a client sending random
   * names cannot grow the registry without bound.
   */
  operationLabel(name: string | null): string {
    if (name === null) return '(anonymous)';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return '(other)';
    this.operationNames.add(name);
    return name;
  }

  operation(operation: string, type: string, outcome: OperationOutcome, seconds: number, codes: readonly string[]): void {
    this.operations.observe({ operation, type, outcome }, seconds);
    for (const code of codes) {
      this.errors.inc({ operation, code });
      if (code === 'RATE_LIMITED') this.rateLimited.inc({ operation });
    }
  }

  webSocketOpened(): void {
    this.webSockets.inc();
  }

  webSocketClosed(): void {
    this.webSockets.dec();
  }

  subscriptionStarted(subscription: string): void {
    this.subscriptions.inc({ subscription });
  }

  subscriptionEnded(subscription: string): void {
    this.subscriptions.dec({ subscription });
  }

  eventPublished(topic: string): void {
    this.published.inc({ topic });
  }

  eventDelivered(subscription: string): void {
    this.delivered.inc({ subscription });
  }

  databaseQuery(sql: string, durationMs: number): void {
    this.queries.observe({ statement: statementKind(sql) }, durationMs / 1000);
  }
}

const STATEMENTS = new Set(['select', 'insert', 'update', 'delete']);

/** The SQL's first keyword when it is one of the four, else "other" (PRAGMA, BEGIN, WITH ...). */
function statementKind(sql: string): string {
  const keyword = /^\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
  return STATEMENTS.has(keyword) ? keyword : 'other';
}
