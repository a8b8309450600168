// The chat's state and everything that changes it: the conversation list,
// the open conversation's messages, who is typing, and the event stream that
// keeps them live. The views (app.tsx) only read `state` and call actions.
//
// Consistency rules, since the stream and the queries race each other:
// - The conversation list is always re-read from the server after a durable
//   event that touches it (coalesced: at most one read in flight plus one
//   queued), never patched by hand, so it cannot drift.
// - Messages are merged by id (the newer updatedAt wins; deleted ids stay
//   deleted), so a page fetched while events arrive gives the same result in
//   any order.
// - The stream resumes from the last cursor after a reconnect (no event lost
//   or repeated); with no cursor yet, or after RESYNC_REQUIRED, everything
//   shown is re-read instead.
import type { Client } from 'graphql-ws/client';
import { ApiError, type Auth, type User } from './api.js';

export interface Message {
  id: string;
  content: string;
  edited: boolean;
  createdAt: string;
  updatedAt: string;
  author: User;
}

export interface ConversationSummary {
  id: string;
  title: string;
  unreadCount: number;
  lastMessage: { content: string; author: User } | null;
}

export interface OpenConversation {
  id: string;
  title: string;
  /** Oldest first. */
  messages: Message[];
  /** Relay cursor of the oldest message loaded; pass as `after` for older ones. */
  olderCursor: string | null;
  hasOlder: boolean;
  loading: boolean;
}

export interface ChatState {
  conversations: ConversationSummary[];
  conversationsLoaded: boolean;
  open: OpenConversation | null;
  /** Usernames typing now, by conversation id. */
  typing: Record<string, string[]>;
  connection: 'connecting' | 'live' | 'reconnecting';
  error: string | null;
}

const PAGE_SIZE = 30;
/** The server publishes a member's typing at most every 3 s; a little more keeps the line steady while they type. */
const TYPING_SHOWN_MS = 4_500;
const TYPING_SENT_EVERY_MS = 2_500;

const MESSAGE = 'id content edited createdAt updatedAt author { id username }';
const TITLE = 'kind name members(first: 2) { edges { node { user { id username } } } }';

const CONVERSATIONS = `query Conversations {
  conversations(first: 50) { edges { node { id unreadCount ${TITLE} lastMessage { content author { id username } } } } }
}`;
const MESSAGES = `query Messages($id: ID!, $after: String) {
  conversation(id: $id) {
    id ${TITLE}
    messages(first: ${PAGE_SIZE}, after: $after) { edges { cursor node { ${MESSAGE} } } pageInfo { hasNextPage endCursor } }
  }
}`;
const OPEN_DIRECT = `mutation OpenDirect($username: String!) { openDirectConversation(username: $username) { id } }`;
const SEND = `mutation Send($input: CreateMessageInput!) { createMessage(input: $input) { ${MESSAGE} } }`;
const EDIT = `mutation Edit($id: ID!, $content: String!) { updateMessage(id: $id, input: { content: $content }) { ${MESSAGE} } }`;
const DELETE = `mutation Delete($id: ID!) { deleteMessage(id: $id) }`;
const MARK_READ = `mutation MarkRead($c: ID!, $m: ID!) { markRead(conversationId: $c, messageId: $m) { id unreadCount } }`;
const TYPING = `mutation Typing($c: ID!) { typing(conversationId: $c) }`;
const EVENTS = `subscription Events($after: String) {
  events(after: $after) {
    __typename cursor conversationId
    ... on MessageCreatedEvent { message { ${MESSAGE} } }
    ... on MessageUpdatedEvent { message { ${MESSAGE} } }
    ... on MessageDeletedEvent { messageId }
    ... on MemberLeftEvent { user { id } }
    ... on ReadPositionEvent { user { id } }
    ... on TypingEvent { user { id username } }
  }
}`;

interface TitleFields {
  kind: 'DIRECT' | 'CHANNEL';
  name: string | null;
  members: { edges: Array<{ node: { user: User } }> };
}

type ConversationEvent = { cursor: string | null; conversationId: string } & (
  | { __typename: 'MessageCreatedEvent' | 'MessageUpdatedEvent'; message: Message }
  | { __typename: 'MessageDeletedEvent'; messageId: string }
  | { __typename: 'MemberLeftEvent' | 'ReadPositionEvent'; user: { id: string } }
  | { __typename: 'TypingEvent'; user: User }
  | { __typename: 'MemberJoinedEvent' | 'ConversationUpdatedEvent' }
);

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: string };
}

const isErrorList = (value: unknown): value is GraphQLErrorLike[] => Array.isArray(value);

/** Sortable position of a message: createdAt, then id, as the server orders them. */
const position = (message: Message) => `${message.createdAt}\u0000${message.id}`;

/** A client-chosen idempotency key; crypto.randomUUID needs a secure context, getRandomValues does not. */
function clientMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class Chat {
  state: ChatState = { conversations: [], conversationsLoaded: false, open: null, typing: {}, connection: 'connecting', error: null };

  private readonly listeners = new Set<() => void>();
  private readonly ws: Client;
  private readonly viewer: User;
  private stopped = false;
  /** The live subscription's variables; graphql-ws re-sends this same object on every reconnect, so `after` is kept current in it. */
  private stream: { variables: { after: string | null }; dispose: () => void } | null = null;
  /** Stream failures since the last successful connection: the retry delay grows with them. */
  private failures = 0;
  private listReading: Promise<void> | null = null;
  private listStale = false;
  private readonly deleted = new Set<string>();
  private readonly markedRead = new Map<string, string>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private lastTypingSent = new Map<string, number>();
  private readonly offConnection: Array<() => void>;

  constructor(private readonly auth: Auth) {
    this.viewer = auth.session!.user;
    this.ws = auth.webSocket();
    this.offConnection = [
      this.ws.on('connected', () => {
        this.failures = 0;
        this.set({ connection: 'live' });
        // No cursor yet: what happened before this (re)connection could be missed, so read it.
        if (this.stream?.variables.after === null) this.reloadAll();
      }),
      this.ws.on('closed', () => {
        if (!this.stopped) this.set({ connection: 'reconnecting' });
      }),
    ];
    this.follow();
    void this.refreshConversations();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop() {
    this.stopped = true;
    this.stream?.dispose();
    for (const off of this.offConnection) off();
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    void this.ws.dispose();
  }

  private set(patch: Partial<ChatState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private setOpen(patch: Partial<OpenConversation>) {
    if (this.state.open) this.set({ open: { ...this.state.open, ...patch } });
  }

  private fail(error: unknown) {
    this.set({ error: error instanceof Error ? error.message : String(error) });
  }

  dismissError() {
    this.set({ error: null });
  }

  // --- the event stream -----------------------------------------------------

  private follow(after: string | null = null) {
    const variables = { after };
    const dispose = this.ws.subscribe<{ events: ConversationEvent }>(
      { query: EVENTS, variables },
      {
        next: ({ data, errors }) => {
          if (errors?.length) return this.streamFailed(errors);
          if (!data?.events) return;
          this.apply(data.events);
          if (data.events.cursor) variables.after = data.events.cursor;
        },
        error: (error) => this.streamFailed(error),
        complete: () => {},
      },
    );
    this.stream = { variables, dispose };
  }

  private streamFailed(error: unknown) {
    if (this.stopped) return;
    this.stream?.dispose();
    if (isErrorList(error) && error.some((e) => e.extensions?.code === 'RESYNC_REQUIRED')) {
      // The cursor is older than the history kept: re-read, then follow from now.
      this.follow(null);
      this.reloadAll();
      return;
    }
    // A close graphql-ws does not retry by itself (4401: token refused at
    // connect; 4429: too many connections; ...) or a refused subscription.
    // After an auth refusal a refresh tells whether the session still exists
    // (if not, Auth signs out and this Chat is stopped); then try again.
    const after = this.stream?.variables.after ?? null;
    const refused =
      (error as { code?: unknown } | null)?.code === 4401 ||
      (isErrorList(error) && error.some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
    this.failures++;
    // A first refusal with a freshly refreshed token retries at once; anything repeated backs off.
    const delay = refused && this.failures === 1 ? 0 : Math.min(1_000 * 2 ** (this.failures - 1), 15_000);
    this.set({ connection: 'reconnecting' });
    void (refused ? this.auth.refresh().catch(() => {}) : Promise.resolve())
      .then(() => new Promise((resolve) => setTimeout(resolve, delay)))
      .then(() => {
        if (!this.stopped && this.auth.session) this.follow(after);
      });
  }

  private apply(event: ConversationEvent) {
    const { conversationId } = event;
    switch (event.__typename) {
      case 'MessageCreatedEvent':
        this.upsert(conversationId, [event.message]);
        this.stopTyping(conversationId, event.message.author.username);
        if (this.state.open?.id === conversationId) void this.markRead();
        void this.refreshConversations();
        break;
      case 'MessageUpdatedEvent':
        this.upsert(conversationId, [event.message]);
        void this.refreshConversations();
        break;
      case 'MessageDeletedEvent':
        this.removeMessage(conversationId, event.messageId);
        void this.refreshConversations();
        break;
      case 'MemberLeftEvent':
        if (event.user.id === this.viewer.id && this.state.open?.id === conversationId) this.set({ open: null });
        void this.refreshConversations();
        break;
      case 'ReadPositionEvent':
        // The viewer read it here or on another device: the badge follows.
        if (event.user.id === this.viewer.id) void this.refreshConversations();
        break;
      case 'TypingEvent':
        if (event.user.id !== this.viewer.id) this.startTyping(conversationId, event.user.username);
        break;
      default:
        void this.refreshConversations();
    }
  }

  private reloadAll() {
    void this.refreshConversations();
    const open = this.state.open;
    if (open) void this.loadPage(open.id, null);
  }

  // --- conversations --------------------------------------------------------

  private title(fields: TitleFields): string {
    if (fields.kind === 'CHANNEL') return `#${fields.name ?? ''}`;
    const other = fields.members.edges.find(({ node }) => node.user.id !== this.viewer.id);
    return (other ?? fields.members.edges[0])?.node.user.username ?? 'direct conversation';
  }

  /** Re-reads the list; calls while one read is in flight queue exactly one more. */
  refreshConversations(): Promise<void> {
    if (this.listReading) {
      this.listStale = true;
      return this.listReading;
    }
    this.listReading = (async () => {
      do {
        this.listStale = false;
        try {
          type Node = TitleFields & { id: string; unreadCount: number; lastMessage: ConversationSummary['lastMessage'] };
          const data = await this.auth.request<{ conversations: { edges: Array<{ node: Node }> } }>(CONVERSATIONS);
          const conversations = data.conversations.edges.map(({ node }) => ({
            id: node.id,
            title: this.title(node),
            unreadCount: node.unreadCount,
            lastMessage: node.lastMessage,
          }));
          this.set({ conversations, conversationsLoaded: true });
        } catch (error) {
          if (!this.stopped) this.fail(error);
        }
      } while (this.listStale && !this.stopped);
    })().finally(() => {
      this.listReading = null;
    });
    return this.listReading;
  }

  async openDirect(username: string): Promise<boolean> {
    try {
      const data = await this.auth.request<{ openDirectConversation: { id: string } }>(OPEN_DIRECT, { username });
      void this.refreshConversations();
      await this.open(data.openDirectConversation.id);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  async open(id: string) {
    if (this.state.open?.id === id) return;
    const known = this.state.conversations.find((c) => c.id === id);
    this.set({ open: { id, title: known?.title ?? '', messages: [], olderCursor: null, hasOlder: false, loading: true }, error: null });
    await this.loadPage(id, null);
  }

  close() {
    this.set({ open: null });
  }

  async loadOlder() {
    const open = this.state.open;
    if (!open || !open.hasOlder || open.loading) return;
    this.setOpen({ loading: true });
    await this.loadPage(open.id, open.olderCursor);
  }

  /** The newest page (after = null) or the page older than `after`, merged into the open conversation. */
  private async loadPage(id: string, after: string | null) {
    try {
      type Page = TitleFields & {
        messages: { edges: Array<{ cursor: string; node: Message }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      };
      const data = await this.auth.request<{ conversation: Page | null }>(MESSAGES, { id, after });
      if (this.state.open?.id !== id) return; // another conversation was opened meanwhile
      const conversation = data.conversation;
      if (!conversation) {
        this.set({ open: null, error: 'This conversation is not available' });
        return;
      }
      const { edges, pageInfo } = conversation.messages;
      // Older pages move the "load older" position; a re-read of the newest page keeps it.
      const paging =
        after !== null || this.state.open.olderCursor === null ? { olderCursor: pageInfo.endCursor, hasOlder: pageInfo.hasNextPage } : {};
      this.setOpen({ title: this.title(conversation), loading: false, ...paging });
      this.upsert(id, edges.map((edge) => edge.node));
      if (after === null) await this.markRead();
    } catch (error) {
      this.setOpen({ loading: false });
      this.fail(error);
    }
  }

  private upsert(conversationId: string, messages: Message[]) {
    const open = this.state.open;
    if (!open || open.id !== conversationId) return;
    const byId = new Map(open.messages.map((message) => [message.id, message]));
    for (const message of messages) {
      if (this.deleted.has(message.id)) continue;
      const known = byId.get(message.id);
      if (!known || known.updatedAt <= message.updatedAt) byId.set(message.id, message);
    }
    const sorted = [...byId.values()].sort((a, b) => (position(a) < position(b) ? -1 : 1));
    this.setOpen({ messages: sorted });
  }

  private removeMessage(conversationId: string, messageId: string) {
    this.deleted.add(messageId);
    const open = this.state.open;
    if (open?.id === conversationId) this.setOpen({ messages: open.messages.filter((m) => m.id !== messageId) });
  }

  /**
   * Moves the read position to the newest message by someone else (only those
   * count as unread), once per message; the badge clears from the answer.
   */
  private async markRead() {
    const open = this.state.open;
    const newest = open?.messages.findLast((message) => message.author.id !== this.viewer.id);
    if (!open || !newest || this.markedRead.get(open.id) === newest.id) return;
    this.markedRead.set(open.id, newest.id);
    try {
      const data = await this.auth.request<{ markRead: { id: string; unreadCount: number } }>(MARK_READ, { c: open.id, m: newest.id });
      const { id, unreadCount } = data.markRead;
      this.set({ conversations: this.state.conversations.map((c) => (c.id === id ? { ...c, unreadCount } : c)) });
    } catch {
      this.markedRead.delete(open.id); // tried again with the next message
    }
  }

  // --- messages ---------------------------------------------------------------

  async send(content: string): Promise<boolean> {
    const open = this.state.open;
    if (!open) return false;
    const input = { content, conversationId: open.id, clientMessageId: clientMessageId() };
    try {
      let data: { createMessage: Message };
      try {
        data = await this.auth.request(SEND, { input });
      } catch (error) {
        // The same key makes a retry safe: the server answers with the original if the first one landed.
        if (!(error instanceof ApiError) || error.code !== 'NETWORK') throw error;
        data = await this.auth.request(SEND, { input });
      }
      this.upsert(open.id, [data.createMessage]);
      this.lastTypingSent.delete(open.id);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  async edit(id: string, content: string): Promise<boolean> {
    const open = this.state.open;
    try {
      const data = await this.auth.request<{ updateMessage: Message }>(EDIT, { id, content });
      if (open) this.upsert(open.id, [data.updateMessage]);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  async remove(id: string) {
    const open = this.state.open;
    try {
      await this.auth.request(DELETE, { id });
      if (open) this.removeMessage(open.id, id);
    } catch (error) {
      this.fail(error);
    }
  }

  // --- typing -----------------------------------------------------------------

  /** Called on every keystroke; tells the server at most every TYPING_SENT_EVERY_MS. */
  typing() {
    const open = this.state.open;
    if (!open) return;
    const now = Date.now();
    if (now - (this.lastTypingSent.get(open.id) ?? 0) < TYPING_SENT_EVERY_MS) return;
    this.lastTypingSent.set(open.id, now);
    this.auth.request(TYPING, { c: open.id }).catch(() => {}); // a lost typing signal is harmless
  }

  private startTyping(conversationId: string, username: string) {
    const key = `${conversationId}\u0000${username}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.set(
      key,
      setTimeout(() => this.stopTyping(conversationId, username), TYPING_SHOWN_MS),
    );
    const names = this.state.typing[conversationId] ?? [];
    if (!names.includes(username)) this.set({ typing: { ...this.state.typing, [conversationId]: [...names, username] } });
  }

  private stopTyping(conversationId: string, username: string) {
    const key = `${conversationId}\u0000${username}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.delete(key);
    const names = this.state.typing[conversationId] ?? [];
    if (names.includes(username)) this.set({ typing: { ...this.state.typing, [conversationId]: names.filter((n) => n !== username) } });
  }
}
