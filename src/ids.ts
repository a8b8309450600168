import { badUserInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is a malformed argument, not an unknown id. */
export function parseId(id: string, field = 'id'): string {
  if (!UUID.test(id)) throw badUserInput(`Malformed id: ${JSON.stringify(id.slice(0, 64))}`, field);
  return id.toLowerCase();
}
