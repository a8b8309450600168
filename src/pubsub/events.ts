// The one small interface every event transport (in-process now, Redis for
// many instances) implements. It carries typed events and knows no domain:
// each domain declares its topics and payloads (messages/events.ts,
// auth/sessions.ts) and the app combines them (context.ts). Payloads are
// plain JSON so they cross a process boundary unchanged.

/** Topic name -> payload type (an interface such as MessageEvents). */
export type EventMap = object;

export interface EventBus<Events extends EventMap> {
  /** Resolves once the event is handed to the transport. */
  publish<T extends keyof Events & string>(topic: T, payload: Events[T]): Promise<void>;
  /** For GraphQL subscriptions: ends when the subscriber stops (return()). */
  iterate<T extends keyof Events & string>(topic: T): AsyncIterableIterator<Events[T]>;
  /** For server-side listeners; returns the unsubscribe function. */
  listen<T extends keyof Events & string>(topic: T, handler: (payload: Events[T]) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
