// Opaque keyset cursors. A cursor names a position (createdAt, id) in the
// newest-first order, not an offset, so inserts and deletes between page
// fetches cause neither duplicates nor skipped older messages.
import { badUserInput } from '../errors.js';

export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const PREFIX = 'm1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${PREFIX}:${position.createdAt.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [prefix, millis, id] = parts;
  if (parts.length !== 3 || prefix !== PREFIX || !/^\d{1,15}$/.test(millis ?? '') || !UUID.test(id ?? '')) {
    throw badUserInput('Malformed cursor', 'after');
  }
  return { createdAt: new Date(Number(millis)), id: id! };
}

export const MAX_PAGE_SIZE = 100;

/** Validates `first`; null/undefined means the schema default. */
export function parsePageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return size;
}
