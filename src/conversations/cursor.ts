// The event stream's cursor: where a subscriber is in each conversation of
// its stream. Positions are per conversation (history.ts explains why they
// commit in order), so the cursor carries one for every conversation the
// stream covered: { conversationId: seq }.
//
// It is signed (HMAC with a key derived from JWT_SECRET) and names its viewer
// and its stream's form (all of the viewer's conversations, or one): any
// other use, a forged or damaged cursor, and one older than EVENT_RETENTION
// all answer RESYNC_REQUIRED.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { resyncRequired } from '../errors.js';

export interface StreamPosition {
  viewerId: string;
  /** The conversation id of a one-conversation stream; null for all the viewer's conversations. */
  scope: string | null;
  /** When the cursor was made (ms). */
  issuedAt: number;
  seqs: Map<string, number>;
}

/** Longer cursors are refused before any parsing (a viewer in 1,000 conversations is about 60 kB). */
const MAX_CURSOR_CHARS = 100_000;
const SIGNATURE_BYTES = 16;

export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    this.key = createHmac('sha256', secret).update('conversation-event-cursor/v1').digest();
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }

  encode(position: StreamPosition): string {
    const body = Buffer.from(
      JSON.stringify({ u: position.viewerId, s: position.scope, t: position.issuedAt, p: Object.fromEntries(position.seqs) }),
    ).toString('base64url');
    return `${body}.${this.sign(body).toString('base64url')}`;
  }

  /** The position, or RESYNC_REQUIRED when the cursor is not one this viewer's stream of this form can resume from. */
  decode(cursor: string, expected: { viewerId: string; scope: string | null; oldestIssuedAt: number }): StreamPosition {
    if (cursor.length > MAX_CURSOR_CHARS) throw resyncRequired('Unusable cursor');
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw resyncRequired('Unusable cursor');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, this.sign(body))) throw resyncRequired('Unusable cursor');
    const data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u: string; s: string | null; t: number; p: Record<string, number> };
    if (data.u !== expected.viewerId || data.s !== expected.scope) {
      throw resyncRequired('This cursor belongs to another stream');
    }
    if (data.t < expected.oldestIssuedAt) throw resyncRequired('This cursor is older than the history kept');
    return { viewerId: data.u, scope: data.s, issuedAt: data.t, seqs: new Map(Object.entries(data.p)) };
  }
}
