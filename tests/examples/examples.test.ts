// The client examples run end to end against the real server, as a user would
// run them: examples/apollo-client.ts and examples/urql.ts. The server issues
// 4-second access tokens, so each example sees its token expire and refresh;
// it runs with TRUSTED_DOCUMENTS=only, so every operation they send is a
// trusted document sent by hash. Both run at once: most of their time is the
// wait for the token to expire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.js';
import { main as apolloClientExample, type Summary } from '../../examples/apollo-client.js';
import { main as urqlExample } from '../../examples/urql.js';

const examples: Array<[string, (apiUrl: string) => Promise<Summary>]> = [
  ['examples/apollo-client.ts', apolloClientExample],
  ['examples/urql.ts', urqlExample],
];

describe('client examples', { concurrency: true }, () => {
  for (const [name, main] of examples) {
    test(`${name}: pages, the missed message once after a reconnect, and a call that succeeds after the token refresh`, async () => {
      const server = await startTestServer({ ACCESS_TOKEN_TTL: '4s', TRUSTED_DOCUMENTS: 'only' });
      try {
        const summary = await main(server.url);

        const [first, second, third] = summary.posted;
        assert.deepEqual(summary.pages, [[third, second], [first]], 'newest first, two per page, nothing twice');

        // Posted by bob while alice was offline: replayed after her last
        // cursor exactly once, then the stream is live again.
        assert.equal(summary.missedDeliveries, 1);
        assert.deepEqual(summary.afterReconnect, [summary.missedMessage, 'welcome back']);

        // The access token expired while the app was open: refreshed, and the
        // call that met the expired token came back with the conversation list
        // (bob's two messages unread).
        assert.ok(summary.refresh, 'the token expired during the run');
        assert.ok(summary.refresh.refreshes >= 1);
        assert.ok(summary.refresh.recoveredCalls >= 1);
        assert.equal(summary.refresh.unreadAfterRefresh, 2);

        // What the server holds: the direct conversation's three messages, none twice.
        const stored = await server.app.services.db.message.findMany({
          where: { conversationId: summary.directConversationId },
          orderBy: { createdAt: 'asc' },
          select: { content: true },
        });
        assert.deepEqual(stored.map((message) => message.content), [summary.liveMessage, summary.missedMessage, 'welcome back']);
      } finally {
        await server.stop();
      }
    });
  }
});
