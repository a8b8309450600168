// Counts what this instance publishes, around whichever bus it runs on
// (in process or Redis), so neither transport knows about metrics.
import type { EventBus, EventMap } from '../pubsub/events.js';
import type { Metrics } from './metrics.js';

export function countPublished<Events extends EventMap>(bus: EventBus<Events>, metrics: Metrics): EventBus<Events> {
  return {
    publish(topic, payload) {
      metrics.eventPublished(topic);
      return bus.publish(topic, payload);
    },
    iterate: (topic) => bus.iterate(topic),
    listen: (topic, handler) => bus.listen(topic, handler),
    close: () => bus.close(),
  };
}
