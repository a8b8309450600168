// urql (@urql/core, no framework) with the typed documents of client/generated:
// sign up and in, post, page through messages, open a direct conversation,
// follow the resumable event stream across a reconnect, and refresh the access
// token when it expires.
//
//   npx tsx examples/urql.ts http://localhost:4000/graphql
//
// Every operation goes by its hash only (persistedExchange with
// enforcePersistedQueries), so this also runs against TRUSTED_DOCUMENTS=only.
import { pathToFileURL } from 'node:url';
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient, type Client as WebSocketClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sha256Hash } from '../client/persisted.js';
import {
  ConversationsDocument,
  CreateMessageDocument,
  EventsDocument,
  LoginDocument,
  LogoutDocument,
  MessagesByUserDocument,
  OpenDirectConversationDocument,
  RefreshTokenDocument,
  RegisterDocument,
  SendMessageDocument,
  TypingDocument,
  type EventsSubscription,
  type MessagesByUserQuery,
  type SessionFieldsFragment,
} from '../client/generated/graphql.js';

type ConversationEvent = EventsSubscription['events'];

const isExpiredToken = (error: { message: string; extensions?: Record<string, unknown> }) =>
  error.extensions?.code === 'UNAUTHENTICATED' && error.message === 'Access token expired';

/** The data of an operation result, or its error thrown. */
function dataOf<T>(result: { data?: T; error?: CombinedError }): T {
  if (result.error || result.data === undefined) throw result.error ?? new Error('no data');
  return result.data;
}

/** One user's app: queries and mutations over HTTP, subscriptions over a WebSocket. */
function createApp(apiUrl: string) {
  let session: SessionFieldsFragment | null = null;
  const stats = { refreshes: 0 };
  let refreshToken: () => Promise<void> = async () => {};

  const connectWebSocket = () =>
    createClient({
      url: apiUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Called on every connect: after an expiry it hands over a fresh token.
      connectionParams: async () => {
        if (session && Date.parse(session.expiresAt) <= Date.now()) await refreshToken();
        return session ? { authorization: `Bearer ${session.accessToken}` } : {};
      },
      // follow() resumes from its last cursor; graphql-ws's own retry would
      // resubscribe with the cursor the stream started from.
      retryAttempts: 0,
    });
  let webSocket: WebSocketClient = connectWebSocket();

  const client = new Client({
    url: apiUrl,
    exchanges: [
      cacheExchange,
      // An expired access token: refresh the pair once, then urql retries the operation.
      authExchange(async (utils) => {
        refreshToken = async () => {
          const result = await utils.mutate(RefreshTokenDocument, { refreshToken: session!.refreshToken });
          session = dataOf(result).refreshToken;
          stats.refreshes++;
        };
        return {
          addAuthToOperation: (operation) => (session ? utils.appendHeaders(operation, { authorization: `Bearer ${session.accessToken}` }) : operation),
          didAuthError: (error) => error.graphQLErrors.some(isExpiredToken),
          refreshAuth: () => refreshToken(),
        };
      }),
      // Hashes only: an operation the server does not know fails instead of sending its text.
      persistedExchange({
        generateHash: async (_query, document) => sha256Hash(document),
        enforcePersistedQueries: true,
        // POST: a GET would need Apollo's CSRF header (apollo-require-preflight) too.
        preferGetForPersistedQueries: false,
        enableForMutation: true,
        enableForSubscriptions: true,
      }),
      fetchExchange,
      subscriptionExchange({
        // By hash, the query text is left out: graphql-ws wants a string there.
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: webSocket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });

  /**
   * events(conversationId) after `after`; when the socket drops it
   * resubscribes from the last cursor it handled: no gap, no duplicate.
   */
  function follow(conversationId: string, after: string | null, onEvent: (event: ConversationEvent) => void) {
    let cursor = after;
    let stopped = false;
    let current: { unsubscribe(): void } | undefined;
    const start = () => {
      current = client.subscription(EventsDocument, { conversationId, after: cursor }).subscribe(({ data, error }) => {
        if (stopped) return;
        if (error) {
          // RESYNC_REQUIRED would mean: refetch the conversation, then follow without `after`.
          current?.unsubscribe();
          setTimeout(start, 500);
          return;
        }
        if (data?.events.cursor) cursor = data.events.cursor;
        if (data) onEvent(data.events);
      });
    };
    start();
    return {
      cursor: () => cursor,
      stop() {
        stopped = true;
        current?.unsubscribe();
      },
    };
  }

  return {
    client,
    stats,
    follow,
    get session() {
      return session;
    },
    signIn(payload: SessionFieldsFragment) {
      session = payload;
    },
    /** The phone lost its network: the WebSocket is gone. */
    disconnect: () => webSocket.dispose(),
    reconnect() {
      webSocket = connectWebSocket();
    },
    close: () => void webSocket.dispose(),
  };
}

export interface Summary {
  user: string;
  posted: string[];
  /** The user's messages page by page (2 a page), newest first. */
  pages: string[][];
  directConversationId: string;
  /** The message that arrived live on the event stream. */
  liveMessage: string;
  /** Posted by the other user while this one was disconnected. */
  missedMessage: string;
  /** How many times the missed message arrived after the reconnect. */
  missedDeliveries: number;
  /** What the stream delivered after the reconnect, in order. */
  afterReconnect: string[];
  /** Null when the token outlives the wait (a server with the default 15 minutes). */
  refresh: null | { refreshes: number; recoveredCalls: number; unreadAfterRefresh: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 5000) {
  for (const deadline = Date.now() + ms; !check(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

export async function main(apiUrl: string): Promise<Summary> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const password = 'correct horse battery staple';
  const alice = createApp(apiUrl);
  const bob = createApp(apiUrl);
  try {
    // Sign up both, then sign in again as alice (a new session).
    const aliceName = `alice_${suffix}`;
    dataOf(await alice.client.mutation(RegisterDocument, { input: { username: aliceName, password } }));
    bob.signIn(dataOf(await bob.client.mutation(RegisterDocument, { input: { username: `bob_${suffix}`, password } })).register);
    alice.signIn(dataOf(await alice.client.mutation(LoginDocument, { input: { username: aliceName, password } })).login);

    // Post three messages on the public timeline, then read them back, two per page.
    const posted = ['first', 'second', 'third'].map((word) => `${word} message from ${aliceName}`);
    for (const content of posted) dataOf(await alice.client.mutation(CreateMessageDocument, { input: { content } }));
    const pages: string[][] = [];
    for (let after: string | null | undefined = null; pages.length === 0 || after; ) {
      const page: MessagesByUserQuery['messagesByUser'] = dataOf(await alice.client.query(MessagesByUserDocument, { username: aliceName, first: 2, after }, { requestPolicy: 'network-only' })).messagesByUser;
      pages.push(page.edges.map((edge) => edge.node.content));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    }

    // A direct conversation with bob, and its event stream.
    const opened = dataOf(await alice.client.mutation(OpenDirectConversationDocument, { username: bob.session!.user.username }));
    const conversationId = opened.openDirectConversation.id;
    const received: string[] = [];
    let live = false;
    const onEvent = (event: ConversationEvent) => {
      if (event.__typename === 'MessageCreatedEvent') received.push(event.message.content);
      if (event.__typename === 'TypingEvent') live = true;
    };
    let stream = alice.follow(conversationId, null, onEvent);
    // graphql-ws does not acknowledge a subscribe, and a stream without a
    // cursor starts from now: wait until it is live (bob's "typing" reaches
    // it; typing is published at most every 3 s, so ask again until it does).
    for (const deadline = Date.now() + 15_000; !live; ) {
      if (Date.now() > deadline) throw new Error('the event stream never went live');
      dataOf(await bob.client.mutation(TypingDocument, { conversationId }));
      await until(() => live, 'the stream to go live', 1000).catch(() => {});
    }
    const liveMessage = 'hi bob, are you there?';
    dataOf(await alice.client.mutation(SendMessageDocument, { conversationId, content: liveMessage, clientMessageId: `hello-${suffix}` }));
    await until(() => received.includes(liveMessage), 'the live message');

    // Alice loses her connection; bob answers meanwhile.
    const lastCursor = stream.cursor();
    stream.stop();
    await alice.disconnect();
    const missedMessage = 'yes! sorry, I was in a tunnel';
    dataOf(await bob.client.mutation(SendMessageDocument, { conversationId, content: missedMessage }));

    // Back online: resume after the last cursor seen. The missed message is
    // replayed, then the stream is live again.
    alice.reconnect();
    received.length = 0;
    stream = alice.follow(conversationId, lastCursor, onEvent);
    await until(() => received.includes(missedMessage), 'the missed message');
    const liveAgain = 'welcome back';
    dataOf(await bob.client.mutation(SendMessageDocument, { conversationId, content: liveAgain }));
    await until(() => received.includes(liveAgain), 'the message after the reconnect');
    await sleep(200); // a duplicate, if any, would be here by now
    stream.stop();
    const afterReconnect = [...received];

    // The user leaves the app open; it refreshes its conversation list every
    // second. When the access token has expired, the server answers
    // UNAUTHENTICATED "Access token expired": authExchange refreshes the pair
    // and urql retries, and the list comes back. (Seconds with a short
    // ACCESS_TOKEN_TTL; not waited for with the default 15 minutes.)
    let refresh: Summary['refresh'] = null;
    if (Date.parse(alice.session!.expiresAt) - Date.now() < 20_000) {
      let unread = 0;
      let recoveredCalls = 0;
      for (let polls = 0; recoveredCalls === 0 && polls < 30; polls++) {
        await sleep(1000);
        const refreshesBefore = alice.stats.refreshes;
        const { conversations } = dataOf(await alice.client.query(ConversationsDocument, { first: 10 }, { requestPolicy: 'network-only' }));
        unread = conversations.edges.find((edge) => edge.node.id === conversationId)?.node.unreadCount ?? -1;
        if (alice.stats.refreshes > refreshesBefore) recoveredCalls++;
      }
      refresh = { refreshes: alice.stats.refreshes, recoveredCalls, unreadAfterRefresh: unread };
    }

    dataOf(await alice.client.mutation(LogoutDocument, { refreshToken: alice.session!.refreshToken }));
    return {
      user: aliceName,
      posted,
      pages,
      directConversationId: conversationId,
      liveMessage,
      missedMessage,
      missedDeliveries: afterReconnect.filter((content) => content === missedMessage).length,
      afterReconnect,
      refresh,
    };
  } finally {
    alice.close();
    bob.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2] ?? 'http://localhost:4000/graphql').then(
    (summary) => console.log(JSON.stringify(summary, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
