import { badUserInput } from './errors.js';

/** The one UUID pattern of the code base (ids, cursors). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID.test(text);

/** Ids are UUIDs; anything else is a malformed argument, not an unknown id. */
export function parseId(id: string, field = 'id'): string {
  if (!isUuid(id)) throw badUserInput(`Malformed id: ${JSON.stringify(id.slice(0, 64))}`, field);
  return id.toLowerCase();
}
