import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { badUserInput } from './errors.js';

/** The one UUID pattern of the code base (ids, cursors). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID.test(text);

/** Ids are UUIDs; anything else is a malformed argument, not an unknown id. */
export function parseId(id: string, field = 'id'): string {
  if (!isUuid(id)) throw badUserInput(`Malformed id: ${JSON.stringify(id.slice(0, 64))}`, field);
  return id.toLowerCase();
}

// Message ids: UUIDv7 (time-ordered, see messages/service.ts), monotonic
// within this process as uuid's own v7() keeps them. uuid calls
// crypto.getRandomValues for 16 bytes per id (about 3 µs, 5 % of a
// createMessage's CPU in the S3 profile); here they come from a 4 KiB pool
// refilled once per 256 ids. The
// state below is what uuid's v7() keeps, which it stops doing once it is
// given the random bytes.
const RANDOM_POOL = new Uint8Array(4096);
let poolOffset = RANDOM_POOL.length;
const v7State = { msecs: -Infinity, seq: 0 };

function random16(): Uint8Array {
  if (poolOffset + 16 > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  return RANDOM_POOL.subarray(poolOffset, (poolOffset += 16));
}

/** A new UUIDv7: later in this process means greater, also within one millisecond. */
export function newTimeOrderedId(): string {
  const random = random16();
  const now = Date.now();
  if (now > v7State.msecs) {
    v7State.msecs = now;
    // A random start for the counter in each new millisecond (31 bits, as uuid's v7Sequence).
    v7State.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else if ((v7State.seq = (v7State.seq + 1) | 0) === 0) {
    v7State.msecs++; // the counter wrapped: borrow the next millisecond
  }
  return uuidv7({ random, msecs: v7State.msecs, seq: v7State.seq });
}
