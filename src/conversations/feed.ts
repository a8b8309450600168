// This instance's end of the CONVERSATION_EVENT topic: one bus subscription
// for the whole process (subscribed at start), handed to every live stream.
// A stream registers here before it reads its starting positions, so any
// event committed after that read reaches it live (stream.ts).
import type { EventBus } from '../pubsub/events.js';
import type { ConversationBusEvent, ConversationEvents } from './events.js';

type Listener = (event: ConversationBusEvent) => void;

export class ConversationFeed {
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => Promise<void>) | null = null;

  static async start(events: EventBus<ConversationEvents>): Promise<ConversationFeed> {
    const feed = new ConversationFeed();
    feed.unsubscribe = await events.listen('CONVERSATION_EVENT', (event) => {
      for (const listener of feed.listeners) listener(event);
    });
    return feed;
  }

  /** Returns the function that stops delivery to `listener`. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.unsubscribe?.();
  }
}
