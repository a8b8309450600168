// The WebSocket side: open sockets, running subscriptions (a start and a stop
// log line each, with how long it ran and how many events it sent) and each
// event sent. The hooks in http/websocket.ts call these; a subscription ends
// here exactly once, whether the client completes it, the stream ends, or
// the socket closes first.
import { Kind, getOperationAST, type DocumentNode } from 'graphql';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

interface Running {
  operationName: string | null;
  /** The root field, a label value the schema bounds (an operation name is the client's choice). */
  subscription: string;
  viewerId: string | null;
  startedAt: number;
  delivered: number;
}

export class SubscriptionObserver {
  private readonly running = new WeakMap<object, Map<string, Running>>();

  constructor(
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  socketOpened(): void {
    this.metrics.webSocketOpened();
  }

  /** Ends what still runs on the socket. */
  socketClosed(socket: object): void {
    this.metrics.webSocketClosed();
    const running = this.running.get(socket);
    if (!running) return;
    for (const id of [...running.keys()]) this.ended(socket, id);
    this.running.delete(socket);
  }

  /** A subscription's stream is open (graphql-ws's onOperation with an async iterable). */
  started(socket: object, id: string, document: DocumentNode, operationName: string | null | undefined, viewerId: string | null): void {
    const operation = getOperationAST(document, operationName);
    const root = operation?.selectionSet.selections[0];
    const entry: Running = {
      operationName: operation?.name?.value ?? null,
      subscription: root?.kind === Kind.FIELD ? root.name.value : 'unknown',
      viewerId,
      startedAt: performance.now(),
      delivered: 0,
    };
    let running = this.running.get(socket);
    if (!running) this.running.set(socket, (running = new Map()));
    running.set(id, entry);
    this.metrics.subscriptionStarted(entry.subscription);
    this.log.info({ operationName: entry.operationName, subscription: entry.subscription, viewerId }, 'subscription started');
  }

  /** One event sent on subscription `id` (nothing for a query or mutation sent over the socket). */
  delivered(socket: object, id: string): void {
    const entry = this.running.get(socket)?.get(id);
    if (!entry) return;
    entry.delivered += 1;
    this.metrics.eventDelivered(entry.subscription);
  }

  ended(socket: object, id: string): void {
    const running = this.running.get(socket);
    const entry = running?.get(id);
    if (!entry) return;
    running!.delete(id);
    this.metrics.subscriptionEnded(entry.subscription);
    this.log.info(
      {
        operationName: entry.operationName,
        subscription: entry.subscription,
        viewerId: entry.viewerId,
        durationMs: Math.round(performance.now() - entry.startedAt),
        events: entry.delivered,
      },
      'subscription stopped',
    );
  }
}
