// Wiring only: what every resolver receives. Built once per HTTP request (or
// once per subscription on a WebSocket): the long-lived clients from
// `AppServices`, plus the viewer and fresh DataLoaders. Domain modules never
// import this file: each declares the small dependency type it needs
// (MessageDeps, SessionDeps, AccountDeps, ...) and these objects satisfy it.
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';
import type { EventBus } from './pubsub/events.js';
import type { ActiveSessions } from './auth/activeSessions.js';
import type { Passwords } from './auth/passwords.js';
import type { AccessTokenVerifier } from './auth/tokens.js';
import type { RateLimits } from './auth/rateLimits.js';
import type { SessionEvents } from './auth/sessions.js';
import type { Auth } from './auth/viewer.js';
import type { MessageEvents } from './messages/events.js';
import type { ConversationEvents } from './conversations/events.js';
import type { ConversationFeed } from './conversations/feed.js';
import type { CursorCodec } from './conversations/cursor.js';
import type { TypingThrottle } from './conversations/typing.js';
import type { ConversationCache } from './conversations/cache.js';
import { createConversationLoaders, type ConversationLoaders } from './conversations/loaders.js';
import type { TimelineCache } from './messages/timelineCache.js';
import type { MessageInserts } from './messages/inserts.js';
import type { UserCache } from './users/cache.js';
import { createUserLoader } from './users/loaders.js';
import { createMessageLoaders, type MessageLoaders } from './messages/loaders.js';

/** Every event the app publishes, by topic. */
export type AppEvents = MessageEvents & SessionEvents & ConversationEvents;

/** Long-lived pieces, created at start and shared by all requests. */
export interface AppServices {
  config: Config;
  db: Db;
  log: Logger;
  events: EventBus<AppEvents>;
  passwords: Passwords;
  rateLimits: RateLimits;
  accessTokens: AccessTokenVerifier;
  /** The per-instance cache of which sessions are still active. */
  activeSessions: ActiveSessions;
  /** Public user fields by id (immutable, so shared by all requests). */
  userCache: UserCache;
  /** First pages of the timeline and of each author, cleared by every message write and event. */
  timeline: TimelineCache;
  /** Writes concurrent public sends in one statement and one commit. */
  messageInserts: MessageInserts;
  /** This instance's end of the conversation events, shared by every live event stream. */
  conversationFeed: ConversationFeed;
  /** conversation(id)'s access check and first pages, forgotten on every change of the conversation. */
  conversationCache: ConversationCache;
  /** Signs and checks the event stream's cursors. */
  eventCursors: CursorCodec;
  /** At most one TypingEvent per member and conversation every few seconds. */
  typing: TypingThrottle;
}

export interface Context extends AppServices {
  auth: Auth;
  /** The client's address key, for rate limits (IPv6: its /64). */
  ip: string;
  loaders: RequestLoaders;
}

/**
 * A request's DataLoaders, each made on first use: most requests use one or
 * two of them, and every request pays for the ones it makes.
 */
export class RequestLoaders {
  #user?: ReturnType<typeof createUserLoader>;
  #messages?: MessageLoaders;
  #conversations?: ConversationLoaders;

  constructor(
    private readonly services: Pick<AppServices, 'db' | 'userCache'>,
    private readonly viewerId: string | null,
  ) {}

  get user() {
    return (this.#user ??= createUserLoader(this.services.db, this.services.userCache));
  }
  private get messages() {
    return (this.#messages ??= createMessageLoaders(this.services.db));
  }
  private get conversations() {
    return (this.#conversations ??= createConversationLoaders(this.services.db, this.viewerId));
  }
  get pageRows() {
    return this.messages.pageRows;
  }
  get countByAuthor() {
    return this.messages.countByAuthor;
  }
  get conversation() {
    return this.conversations.conversation;
  }
  get lastMessage() {
    return this.conversations.lastMessage;
  }
  get viewerMembership() {
    return this.conversations.viewerMembership;
  }
}

/**
 * The shared services are the context's prototype, not copied into it: a
 * request makes one small object (auth, address, loaders) instead of a copy
 * of every service (the copy was about 3 % of a `me` request's CPU). So
 * never spread a context: set extra fields on it instead.
 */
export function createContext(services: AppServices, auth: Auth, ip: string): Context {
  const context = Object.create(services) as Context;
  context.auth = auth;
  context.ip = ip;
  context.loaders = new RequestLoaders(services, auth.kind === 'viewer' ? auth.claims.userId : null);
  return context;
}
