// Keeps the event history to EVENT_RETENTION: older events are deleted in
// the background (a resume from before then answers RESYNC_REQUIRED).
// Every instance prunes; the deletes are idempotent, so that costs little.
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { pruneEvents } from './history.js';

/** How often to prune: a tenth of the retention, between 1 s and 10 minutes. */
export const pruneIntervalMs = (retentionSeconds: number): number => Math.min(600_000, Math.max(1000, (retentionSeconds * 1000) / 10));

/** Starts pruning; returns the function that stops it. */
export function startEventPruning(db: Db, retentionSeconds: number, log: Logger): () => void {
  let running = false;
  const prune = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await pruneEvents(db, new Date(Date.now() - retentionSeconds * 1000));
      if (removed > 0) log.debug({ removed }, 'pruned conversation events past EVENT_RETENTION');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not prune conversation events');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void prune(), pruneIntervalMs(retentionSeconds));
  timer.unref();
  return () => clearInterval(timer);
}
