// Apollo Client 4 (core, no React) with the typed documents of client/generated:
// sign up and in, post, page through messages, open a direct conversation,
// follow the resumable event stream across a reconnect, and refresh the access
// token when it expires.
//
//   npx tsx examples/apollo-client.ts http://localhost:4000/graphql
//
// Every operation goes by its hash (Apollo's persisted-query link, with the
// hashes codegen wrote), so this also runs against TRUSTED_DOCUMENTS=only.
import { pathToFileURL } from 'node:url';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client as WebSocketClient } from 'graphql-ws';
import { from, switchMap, tap } from 'rxjs';
import WebSocket from 'ws';
import { sha256Hash } from '../client/persisted.js';
import {
  ConversationsDocument,
  EventsDocument,
  LoginDocument,
  LogoutDocument,
  MessagesByUserDocument,
  OpenDirectConversationDocument,
  RefreshTokenDocument,
  RegisterDocument,
  SendMessageDocument,
  TypingDocument,
  CreateMessageDocument,
  type EventsSubscription,
  type MessagesByUserQuery,
  type SessionFieldsFragment,
} from '../client/generated/graphql.js';

type ConversationEvent = EventsSubscription['events'];

const isExpiredToken = (error: { message: string; extensions?: Record<string, unknown> }) =>
  error.extensions?.code === 'UNAUTHENTICATED' && error.message === 'Access token expired';

/** One user's app: queries and mutations over HTTP, subscriptions over a WebSocket. */
function createApp(apiUrl: string) {
  let session: SessionFieldsFragment | null = null;
  let refreshing: Promise<void> | null = null;
  const stats = { refreshes: 0, recovered: 0 };

  const connectWebSocket = () =>
    createClient({
      url: apiUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Called on every connect: after an expiry it hands over a fresh token.
      connectionParams: async () => {
        if (session && Date.parse(session.expiresAt) <= Date.now()) await refresh();
        return session ? { authorization: `Bearer ${session.accessToken}` } : {};
      },
      // follow() resumes from its last cursor; graphql-ws's own retry would
      // resubscribe with the cursor the stream started from.
      retryAttempts: 0,
    });
  let webSocket: WebSocketClient = connectWebSocket();

  const link = ApolloLink.from([
    // An expired access token: refresh the pair once, then retry the operation.
    new ErrorLink(({ error, operation, forward }) => {
      if (operation.operationName === 'RefreshToken' || !CombinedGraphQLErrors.is(error) || !error.errors.some(isExpiredToken)) return;
      return from(refresh()).pipe(
        switchMap(() => forward(operation)),
        tap((result) => void (result.errors ? undefined : stats.recovered++)),
      );
    }),
    new SetContextLink(({ headers }) => ({
      headers: { ...headers, ...(session && { authorization: `Bearer ${session.accessToken}` }) },
    })),
    new PersistedQueryLink({ generateHash: sha256Hash }),
    ApolloLink.split(
      (operation) => operation.operationType === 'subscription',
      new ApolloLink((operation) => new GraphQLWsLink(webSocket).request(operation)),
      new HttpLink({ uri: apiUrl }),
    ),
  ]);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });

  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const { data } = await client.mutate({ mutation: RefreshTokenDocument, variables: { refreshToken: session!.refreshToken } });
      session = data!.refreshToken;
      stats.refreshes++;
    })().finally(() => (refreshing = null));
    return refreshing;
  }

  /**
   * events(conversationId) after `after`; when the socket drops it
   * resubscribes from the last cursor it handled: no gap, no duplicate.
   */
  function follow(conversationId: string, after: string | null, onEvent: (event: ConversationEvent) => void) {
    let cursor = after;
    let stopped = false;
    let current: { unsubscribe(): void } | undefined;
    const start = () => {
      current = client.subscribe({ query: EventsDocument, variables: { conversationId, after: cursor }, fetchPolicy: 'no-cache' }).subscribe(({ data, error }) => {
        if (stopped) return;
        if (error) {
          // RESYNC_REQUIRED would mean: refetch the conversation, then follow without `after`.
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
    close() {
      void webSocket.dispose();
      client.stop();
    },
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
    await alice.client.mutate({ mutation: RegisterDocument, variables: { input: { username: aliceName, password } } });
    const { data: bobUp } = await bob.client.mutate({ mutation: RegisterDocument, variables: { input: { username: `bob_${suffix}`, password } } });
    bob.signIn(bobUp!.register);
    const { data: signedIn } = await alice.client.mutate({ mutation: LoginDocument, variables: { input: { username: aliceName, password } } });
    alice.signIn(signedIn!.login);

    // Post three messages on the public timeline, then read them back, two per page.
    const posted = ['first', 'second', 'third'].map((word) => `${word} message from ${aliceName}`);
    for (const content of posted) await alice.client.mutate({ mutation: CreateMessageDocument, variables: { input: { content } } });
    const pages: string[][] = [];
    for (let after: string | null | undefined = null; pages.length === 0 || after; ) {
      const { data } = await alice.client.query({ query: MessagesByUserDocument, variables: { username: aliceName, first: 2, after }, fetchPolicy: 'network-only' });
      const page: MessagesByUserQuery['messagesByUser'] = data!.messagesByUser;
      pages.push(page.edges.map((edge) => edge.node.content));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    }

    // A direct conversation with bob, and its event stream.
    const { data: opened } = await alice.client.mutate({ mutation: OpenDirectConversationDocument, variables: { username: bob.session!.user.username } });
    const conversationId = opened!.openDirectConversation.id;
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
      await bob.client.mutate({ mutation: TypingDocument, variables: { conversationId } });
      await until(() => live, 'the stream to go live', 1000).catch(() => {});
    }
    const liveMessage = 'hi bob, are you there?';
    await alice.client.mutate({ mutation: SendMessageDocument, variables: { conversationId, content: liveMessage, clientMessageId: `hello-${suffix}` } });
    await until(() => received.includes(liveMessage), 'the live message');

    // Alice loses her connection; bob answers meanwhile.
    const lastCursor = stream.cursor();
    stream.stop();
    await alice.disconnect();
    const missedMessage = 'yes! sorry, I was in a tunnel';
    await bob.client.mutate({ mutation: SendMessageDocument, variables: { conversationId, content: missedMessage } });

    // Back online: resume after the last cursor seen. The missed message is
    // replayed, then the stream is live again.
    alice.reconnect();
    received.length = 0;
    stream = alice.follow(conversationId, lastCursor, onEvent);
    await until(() => received.includes(missedMessage), 'the missed message');
    const liveAgain = 'welcome back';
    await bob.client.mutate({ mutation: SendMessageDocument, variables: { conversationId, content: liveAgain } });
    await until(() => received.includes(liveAgain), 'the message after the reconnect');
    await sleep(200); // a duplicate, if any, would be here by now
    stream.stop();
    const afterReconnect = [...received];

    // The user leaves the app open; it refreshes its conversation list every
    // second. When the access token has expired, the server answers
    // UNAUTHENTICATED "Access token expired": the error link refreshes the
    // pair and retries, and the list comes back. (Seconds with a short
    // ACCESS_TOKEN_TTL; not waited for with the default 15 minutes.)
    let refresh: Summary['refresh'] = null;
    if (Date.parse(alice.session!.expiresAt) - Date.now() < 20_000) {
      let unread = 0;
      for (let polls = 0; alice.stats.recovered === 0 && polls < 30; polls++) {
        await sleep(1000);
        const { data } = await alice.client.query({ query: ConversationsDocument, variables: { first: 10 }, fetchPolicy: 'network-only' });
        unread = data!.conversations.edges.find((edge) => edge.node.id === conversationId)?.node.unreadCount ?? -1;
      }
      refresh = { refreshes: alice.stats.refreshes, recoveredCalls: alice.stats.recovered, unreadAfterRefresh: unread };
    }

    await alice.client.mutate({ mutation: LogoutDocument, variables: { refreshToken: alice.session!.refreshToken } });
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
