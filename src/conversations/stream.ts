// The resumable event stream: `events(after, conversationId)`.
//
// Hand-over without gap or duplicate:
//   1. register with this instance's feed (live events are queued from now);
//   2. read where each conversation of the stream stands (eventSeq);
//   3. replay from the cursor's positions, from the database;
//   4. then the queued and later live events, each at most once: an event
//      at or below what this stream delivered in its conversation is a
//      duplicate (dropped); one above the next expected position means an
//      event is still on its way or was lost (another instance published it
//      later, Redis dropped it), so the missing range is read from the
//      database first. Since positions commit in order (history.ts), the
//      database always has that range.
// Whatever is queued, an event committed after step 2 was published after
// step 1, so it reaches the queue.
import { Repeater } from '@repeaterjs/repeater';
import type { Db } from '../db/client.js';
import { notFound, resyncRequired } from '../errors.js';
import type { Logger } from '../logger.js';
import { fromMessageEvent } from '../messages/events.js';
import type { MessageModel } from '../messages/model.js';
import { isPublicChannel, readableConversation } from './access.js';
import type { CursorCodec } from './cursor.js';
import type { ConversationBusEvent } from './events.js';
import type { ConversationFeed } from './feed.js';
import { eventsAfter, type StoredEvent } from './history.js';
import type { ConversationEventModel, MembershipModel } from './model.js';

export interface StreamDeps {
  db: Db;
  log: Logger;
  conversationFeed: ConversationFeed;
  eventCursors: CursorCodec;
  config: { eventRetentionSeconds: number };
}

/** Events read from the database per query while replaying. */
const REPLAY_BATCH = 250;
/** Live events queued for a subscriber that does not keep up; past this the stream ends (resume with the last cursor). */
const MAX_QUEUED_LIVE_EVENTS = 10_000;

/** One conversation's part of the stream: the last position delivered, and where replay stops (a conversation left since). */
interface Track {
  delivered: number;
  until?: number;
}

export async function openEventStream(
  deps: StreamDeps,
  viewerId: string,
  args: { after: string | null; conversationId: string | null },
): Promise<AsyncIterableIterator<ConversationEventModel>> {
  const { db } = deps;
  const scope = args.conversationId;
  // With conversationId, a PRIVATE or DIRECT conversation is left on the
  // viewer's removal; a PUBLIC channel stays readable.
  let endsOnLeave = false;

  // 1. Live events are queued from here on.
  const inbox: ConversationBusEvent[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const unsubscribe = deps.conversationFeed.subscribe((event) => {
    if (inbox.length >= MAX_QUEUED_LIVE_EVENTS) overflow = true;
    else inbox.push(event);
    wake?.();
  });

  try {
    // 2. Where each conversation stands now.
    const current = new Map<string, number>();
    if (scope !== null) {
      const access = await readableConversation(db, viewerId, scope);
      if (!access) throw notFound('Conversation');
      endsOnLeave = !isPublicChannel(access.conversation);
      current.set(scope, access.conversation.eventSeq);
    } else {
      const memberships = await db.membership.findMany({
        where: { userId: viewerId },
        select: { conversationId: true, conversation: { select: { eventSeq: true } } },
      });
      for (const m of memberships) current.set(m.conversationId, m.conversation.eventSeq);
    }

    // 3. The replay plan, checked before the stream starts so that a
    //    RESYNC_REQUIRED reaches the client as the subscription's error.
    const tracks = new Map<string, Track>();
    const firstBatches = new Map<string, StoredEvent[]>();
    if (args.after === null) {
      for (const [id, seq] of current) tracks.set(id, { delivered: seq });
    } else {
      const retentionMs = deps.config.eventRetentionSeconds * 1000;
      const from = deps.eventCursors.decode(args.after, { viewerId, scope, oldestIssuedAt: Date.now() - retentionMs });
      for (const [id, seq] of current) {
        const known = from.seqs.get(id);
        if (known !== undefined) tracks.set(id, { delivered: known });
        else tracks.set(id, { delivered: (await lastJoin(db, id, viewerId)) ?? seq }); // joined since: from the join
      }
      // Conversations the viewer has left since the cursor: up to and including the leave.
      for (const [id, seq] of from.seqs) {
        if (current.has(id) || scope !== null) continue;
        const left = await db.conversationEvent.findFirst({
          where: { conversationId: id, type: 'MEMBER_LEFT', userId: viewerId, seq: { gt: seq } },
          orderBy: { seq: 'asc' },
          select: { seq: true },
        });
        if (left) tracks.set(id, { delivered: seq, until: left.seq });
      }
      for (const [id, track] of tracks) {
        const end = track.until ?? current.get(id)!;
        if (track.delivered > end) throw resyncRequired('This cursor is ahead of the history kept');
        if (track.delivered === end) continue;
        const batch = await eventsAfter(db, id, track.delivered, REPLAY_BATCH, track.until);
        // The next position is missing: pruned (EVENT_RETENTION).
        if (batch[0]?.seq !== track.delivered + 1) throw resyncRequired('This cursor is older than the history kept');
        firstBatches.set(id, batch);
      }
    }

    const stream = new EventStream(deps, viewerId, scope, tracks, endsOnLeave);
    return new Repeater<ConversationEventModel>(async (push, stop) => {
      let stopped = false;
      void stop.then(() => {
        stopped = true;
        wake?.();
      });
      try {
        for await (const event of stream.replay(firstBatches)) {
          if (stopped) return;
          await push(event);
        }
        for (const [id, track] of tracks) if (track.until !== undefined) tracks.delete(id);
        while (!stopped) {
          if (overflow) throw resyncRequired('This subscriber fell too far behind: resume from its last cursor');
          const next = inbox.shift();
          if (!next) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
            continue;
          }
          for (const event of await stream.live(next)) {
            if (stopped) return;
            await push(event);
          }
          if (stream.ended) return stop();
        }
      } catch (error) {
        stop(error);
      } finally {
        unsubscribe();
      }
    });
  } catch (error) {
    unsubscribe();
    throw error;
  }
}

/** The viewer's latest join of a conversation: where a stream starts for a conversation joined after its cursor. */
async function lastJoin(db: Db, conversationId: string, viewerId: string): Promise<number | null> {
  const join = await db.conversationEvent.findFirst({
    where: { conversationId, type: 'MEMBER_JOINED', userId: viewerId },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  return join ? join.seq - 1 : null;
}

/** The state of one subscriber's stream: positions, and turning stored or live events into what it receives. */
class EventStream {
  ended = false;

  constructor(
    private readonly deps: StreamDeps,
    private readonly viewerId: string,
    private readonly scope: string | null,
    private readonly tracks: Map<string, Track>,
    private readonly endsOnLeave: boolean,
  ) {}

  private cursor(): string {
    const seqs = new Map<string, number>();
    for (const [id, track] of this.tracks) if (track.until === undefined) seqs.set(id, track.delivered);
    return this.deps.eventCursors.encode({ viewerId: this.viewerId, scope: this.scope, issuedAt: Date.now(), seqs });
  }

  /** Marks an event delivered and gives it its cursor; also narrows the stream when the viewer left. */
  private deliver(conversationId: string, seq: number, event: Omit<ConversationEventModel, 'cursor'>): ConversationEventModel {
    const track = this.tracks.get(conversationId)!;
    track.delivered = seq;
    const delivered = { ...event, cursor: this.cursor() };
    if (event.type === 'MEMBER_LEFT' && event.userId === this.viewerId) {
      if (this.scope === null) this.tracks.delete(conversationId);
      else if (this.endsOnLeave) this.ended = true;
    }
    return delivered;
  }

  /** Every event after the tracks' positions, oldest first across conversations (each one in position order). */
  async *replay(firstBatches: Map<string, StoredEvent[]>): AsyncGenerator<ConversationEventModel> {
    type Entry = [StoredEvent, Omit<ConversationEventModel, 'cursor'> | null];
    const queues = new Map<string, { entries: Entry[]; done: boolean }>();
    for (const [id, batch] of firstBatches) {
      queues.set(id, { entries: await this.resolveStored(batch), done: batch.length < REPLAY_BATCH });
    }
    for (;;) {
      let pick: { id: string; head: StoredEvent } | null = null;
      for (const [id, queue] of queues) {
        const track = this.tracks.get(id);
        if (!track) {
          queues.delete(id); // the viewer left it: nothing more from it
          continue;
        }
        if (queue.entries.length === 0 && !queue.done) {
          // The next batch, with its subjects loaded at once.
          const batch = await eventsAfter(this.deps.db, id, track.delivered, REPLAY_BATCH, track.until);
          queue.entries = await this.resolveStored(batch);
          queue.done = batch.length < REPLAY_BATCH;
        }
        const head = queue.entries[0]?.[0];
        if (!head) {
          queues.delete(id);
          continue;
        }
        if (!pick || head.at < pick.head.at || (head.at.getTime() === pick.head.at.getTime() && id < pick.id)) pick = { id, head };
      }
      if (!pick) return;
      const [stored, event] = queues.get(pick.id)!.entries.shift()!;
      if (event) yield this.deliver(pick.id, stored.seq, event);
      else this.tracks.get(pick.id)!.delivered = stored.seq; // a message deleted since: left out
    }
  }

  /** What one live event means for this subscriber: nothing, itself, or a missing range read first. */
  async live(event: ConversationBusEvent): Promise<ConversationEventModel[]> {
    const { conversationId } = event;
    let track = this.tracks.get(conversationId);
    if (event.type === 'TYPING') {
      if (!track || event.userId === this.viewerId) return [];
      return [{ type: 'TYPING', conversationId, cursor: null, at: new Date(event.at), userId: event.userId! }];
    }
    const seq = event.seq!;
    if (!track && this.scope === null && event.type === 'MEMBER_JOINED' && event.userId === this.viewerId) {
      // The viewer joined (or was added): the stream widens from this event on.
      track = { delivered: seq - 1 };
      this.tracks.set(conversationId, track);
    }
    if (!track || seq <= track.delivered) return [];
    if (seq === track.delivered + 1) return [this.deliver(conversationId, seq, liveModel(event))];
    // A gap: read the missing range (and this event) from the database.
    const stored = await eventsAfter(this.deps.db, conversationId, track.delivered, seq - track.delivered, seq);
    const out: ConversationEventModel[] = [];
    for (const [row, model] of await this.resolveStored(stored)) {
      if (!this.tracks.has(conversationId)) break;
      if (model) out.push(this.deliver(conversationId, row.seq, model));
      else track.delivered = row.seq;
    }
    return out;
  }

  /** Stored events with the current state of their subjects; null for events of a message deleted since. */
  private async resolveStored(events: StoredEvent[]): Promise<Array<[StoredEvent, Omit<ConversationEventModel, 'cursor'> | null]>> {
    const { db } = this.deps;
    const messageIds = events.filter((e) => e.type === 'MESSAGE_CREATED' || e.type === 'MESSAGE_UPDATED').map((e) => e.messageId!);
    const joined = events.filter((e) => e.type === 'MEMBER_JOINED');
    const conversationId = events[0]?.conversationId;
    const [messages, memberships] = await Promise.all([
      messageIds.length > 0 ? db.message.findMany({ where: { id: { in: messageIds } } }) : [],
      joined.length > 0 && conversationId
        ? db.membership.findMany({ where: { conversationId, userId: { in: joined.map((e) => e.userId!) } } })
        : [],
    ]);
    const messageById = new Map<string, MessageModel>(messages.map((m) => [m.id, m]));
    const membershipByUser = new Map<string, MembershipModel>(memberships.map((m) => [m.userId, m]));
    return events.map((e) => [e, storedModel(e, messageById, membershipByUser)]);
  }
}

function storedModel(
  e: StoredEvent,
  messages: Map<string, MessageModel>,
  memberships: Map<string, MembershipModel>,
): Omit<ConversationEventModel, 'cursor'> | null {
  const base = { type: e.type, conversationId: e.conversationId, at: e.at };
  switch (e.type) {
    case 'MESSAGE_CREATED':
    case 'MESSAGE_UPDATED': {
      const message = messages.get(e.messageId!);
      return message ? { ...base, message } : null;
    }
    case 'MESSAGE_DELETED':
      return { ...base, messageId: e.messageId! };
    case 'MEMBER_JOINED':
      // A member who has left since: the membership as it was when they joined.
      return { ...base, membership: memberships.get(e.userId!) ?? pastMembership(e.conversationId, e.userId!, e.at, 'MEMBER') };
    case 'MEMBER_LEFT':
      return { ...base, userId: e.userId! };
    case 'CONVERSATION_UPDATED':
      return base; // the resolver loads the conversation as it is now
    case 'READ_POSITION':
      return { ...base, userId: e.userId!, lastReadMessageId: e.messageId! };
  }
}

function liveModel(e: ConversationBusEvent): Omit<ConversationEventModel, 'cursor'> {
  const base = { type: e.type, conversationId: e.conversationId, at: new Date(e.at) };
  switch (e.type) {
    case 'MESSAGE_CREATED':
    case 'MESSAGE_UPDATED':
      return { ...base, message: fromMessageEvent(e.message!) };
    case 'MEMBER_JOINED':
      return { ...base, membership: pastMembership(e.conversationId, e.userId!, base.at, e.role ?? 'MEMBER') };
    case 'READ_POSITION':
      return { ...base, userId: e.userId!, lastReadMessageId: e.messageId! };
    case 'MESSAGE_DELETED':
      return { ...base, messageId: e.messageId! };
    default:
      // MEMBER_LEFT; CONVERSATION_UPDATED (its conversation is loaded by the resolver).
      return { ...base, userId: e.userId ?? undefined };
  }
}

function pastMembership(conversationId: string, userId: string, joinedAt: Date, role: string): MembershipModel {
  return { conversationId, userId, role, joinedAt, lastReadMessageId: null, lastReadAt: null, unreadCount: 0 };
}
