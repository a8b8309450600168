import type { Client } from 'graphql-ws';
import { firstConnection } from './server.js';

export interface Subscription<T> {
  /** Resolves with the next event, or rejects after `ms`. */
  next(ms?: number): Promise<T>;
  /** Events received so far and not yet taken. */
  pending: T[];
  /** Resolves with the errors if the server refuses the subscription. */
  failed: Promise<unknown>;
  stop(): void;
}

/** Subscribes and waits a moment so the server has registered the subscription. */
export async function subscribe<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Promise<Subscription<T>> {
  const pending: T[] = [];
  const waiters: Array<(value: T) => void> = [];
  let fail!: (error: unknown) => void;
  const failed = new Promise<unknown>((resolve) => (fail = resolve));
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) return fail(result.errors);
        const value = result.data as T;
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else pending.push(value);
      },
      error: (error) => fail(error),
      complete: () => {},
    },
  );
  // graphql-ws acknowledges the connection, not the subscription: wait for
  // the acknowledgement (on a busy machine it can take a while), then a moment
  // for the server to register the subscription.
  const connected = firstConnection.get(client);
  if (connected) await Promise.race([connected, failed, new Promise((resolve) => setTimeout(resolve, 5000))]);
  await new Promise((resolve) => setTimeout(resolve, 150));
  return {
    pending,
    failed,
    stop,
    next(ms = 3000) {
      const ready = pending.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise<T>((resolve, reject) => {
        const waiter = (value: T) => {
          clearTimeout(timer);
          resolve(value);
        };
        // A waiter that timed out leaves the queue: the next event goes to the next next().
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no event within ${ms} ms`));
        }, ms);
        waiters.push(waiter);
      });
    },
  };
}

/** Resolves with the close code the server sends. */
export function closeCode(client: Client): Promise<number> {
  return new Promise((resolve) => {
    client.on('closed', (event) => resolve((event as { code: number }).code));
  });
}
