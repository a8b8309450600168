// The conversation scenarios, on a server of their own per backend:
//   C1  conversation(id) { messages(first: 20) } on a PUBLIC channel the
//       caller is a member of, with as many messages by the same authors as
//       the public timeline, measured alternately with S1 (S1, C1, C1, S1:
//       a drift of the machine's speed then cancels out of the ratio) on the
//       same server and data. The target: C1 ≥ 0.85 × S1 req/s.
//   C2  conversations(first: 50) with unreadCount and lastMessage, for a
//       viewer in 50 conversations, each with messages by others and the
//       viewer's read position in the middle, one conversation with 100,000
//       messages; measured first with the read position at the very start of
//       that conversation (99,999 unread, the worst case; markRead never
//       moves it back), then in its middle.
//   C3  fan-out to a 100-member channel (conversationStreams.ts).
//   C4  replay of 1,000 missed events (conversationStreams.ts).
//
// On SQLite the server works on a copy of the snapshot the main run took
// after seeding (the same users and public timeline S1 read there); on
// PostgreSQL on the run's schema as the main scenarios left it. The data is
// seeded in conversationSeed.ts: through the API, then the bulk of the
// messages directly while the server is stopped, then the read positions
// through the API again. Both starts of the server share one JWT secret, so
// the tokens from the first still work. RATE_LIMIT_REGISTER_PER_IP is raised:
// C3 alone registers 100 users from one address (30 per 15 min by default).
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelFanOut, replayMissed } from './conversationStreams.js';
import { insertMessages, markRead, seedConversations, type ConversationData } from './conversationSeed.js';
import { columns } from './format.js';
import { printServerOutput } from './report.js';
import { EDGES, measureLoad, S1_SCENARIO, type Scenario } from './scenarios.js';
import { killServer, startServer, stopServer, type BenchServer, type ServerOptions } from './server.js';
import { LABEL, type Backend, type ConversationSettings } from './settings.js';
import { problem, type ConversationsResult, type LoadResult, type Run } from './state.js';

export const C1 = 'C1 conversation page 20';
export const S1_BESIDE_C1 = 'S1 page 20 (beside C1)';
export const C2 = 'C2 50 convs, read mid';
export const C2_FAR_BEHIND = 'C2 50 convs, read at start';

function c1Scenario(channelId: string): Scenario {
  return {
    name: C1,
    path: '/graphql',
    query: `query ConversationPage($id: ID!) { conversation(id: $id) { messages(first: 20) { ${EDGES} } } }`,
    variables: { id: channelId },
    check: (b) => {
      const edges = b.data?.conversation?.messages?.edges;
      return edges?.length === 20 && edges.every((edge) => edge.node.author?.username) ? null : 'expected 20 edges with authors';
    },
  };
}

/** The C2 query, checked against the unread counts the seeded read positions must give. */
function c2Scenario(name: string, data: ConversationData, sizes: ConversationSettings, bigUnread: number): Scenario {
  const smallUnread = sizes.smallMessages - sizes.smallMessages / 2;
  return {
    name,
    path: '/graphql',
    query: 'query Conversations { conversations(first: 50) { edges { node { id unreadCount lastMessage { id content } } } } }',
    check: (b) => {
      const edges = b.data?.conversations?.edges;
      if (edges?.length !== sizes.viewerConversations) return `expected ${sizes.viewerConversations} conversations`;
      const wrong = edges.find(({ node }) => node.unreadCount !== (node.id === data.c2.bigId ? bigUnread : smallUnread) || !node.lastMessage?.id);
      return wrong ? `conversation ${wrong.node.id}: unreadCount ${wrong.node.unreadCount}, expected ${wrong.node.id === data.c2.bigId ? bigUnread : smallUnread}` : null;
    },
  };
}

/** S1, C1, C1, S1: each pair's mean then compares the two on the same (linearly drifting) machine. */
async function c1BesideS1(run: Run, server: BenchServer, data: ConversationData, label: string, withDatabase: boolean) {
  const s1: Scenario = { ...S1_SCENARIO, name: S1_BESIDE_C1 };
  const c1 = c1Scenario(data.c1.channelId);
  const rows = { s1: [] as LoadResult[], c1: [] as LoadResult[] };
  for (const scenario of [s1, c1, c1, s1]) {
    const row = await measureLoad(run, server, scenario, data.c1.reader.token, label, withDatabase);
    if (row) (scenario === s1 ? rows.s1 : rows.c1).push(row);
  }
  return rows;
}

export async function conversationScenarios(run: Run, backend: Backend, sizes: ConversationSettings): Promise<ConversationsResult> {
  const label = backend === 'sqlite' ? '' : `${LABEL[backend]}: `;
  const withDatabase = backend === 'postgresql';
  console.log(`\n=== Conversations C1-C4 on ${LABEL[backend]} (a server of its own) ===`);
  const dbFile = join(run.workDir, 'conversations.db');
  if (backend === 'sqlite') copyFileSync(run.snapshotFile, dbFile);
  const options: ServerOptions = {
    dbFile,
    env: { JWT_SECRET: randomBytes(48).toString('base64url'), RATE_LIMIT_REGISTER_PER_IP: '1000000' },
  };
  let server = await startServer(run, backend, options);
  try {
    const seedStart = performance.now();
    const data = await seedConversations(server.url, run.settings, sizes);
    await stopServer(server);
    const inserted = await insertMessages(backend, run.settings, dbFile, data);
    server = await startServer(run, backend, options);

    // Read positions: the middle of each small conversation, the very start of the big one (C2's worst case first).
    const { viewer, channelIds, bigId } = data.c2;
    for (const id of channelIds.filter((id) => id !== bigId)) {
      await markRead(server.url, viewer, id, data.inserted.get(id)![sizes.smallMessages / 2 - 1]!);
    }
    const big = data.inserted.get(bigId)!;
    await markRead(server.url, viewer, bigId, big[0]!);
    console.log(
      `  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s: ${data.c3.members.length + 5} users and ` +
        `${channelIds.length + 3} channels through the API, ${inserted.toLocaleString('en-US')} messages inserted directly\n`,
    );

    console.log(columns(withDatabase));
    const { s1, c1 } = await c1BesideS1(run, server, data, label, withDatabase);
    const farBehind = big.length - 1;
    const c2FarBehind = await measureLoad(run, server, c2Scenario(C2_FAR_BEHIND, data, sizes, farBehind), viewer.token, label, withDatabase);
    const middle = big.length / 2;
    await markRead(server.url, viewer, bigId, big[big.length - middle - 1]!);
    const c2 = await measureLoad(run, server, c2Scenario(C2, data, sizes, middle), viewer.token, label, withDatabase);

    const problems = { report: (text: string) => problem(run, `${label}${text}`) };
    // A stream scenario that cannot even start (no probe arrives) is a failure of its own; the others still run.
    const orNull = <T>(id: string, task: () => Promise<T>) =>
      task().catch((error: unknown) => {
        problems.report(`${id} failed: ${(error as Error).message}`);
        return null;
      });
    const fanOut = await orNull('C3', () => channelFanOut(server, data.c3.channelId, data.c3.members, run.settings.fanOutMessages, problems));
    const { reader, writer } = data.c4;
    const replay = await orNull('C4', () => replayMissed(server, data.c4.channelId, reader, writer, sizes.replayEvents, sizes.replayRounds, problems));

    await stopServer(server);
    printServerOutput(server);
    return { s1, c1, c2, c2FarBehind, c2Unread: { middle, farBehind }, fanOut, replay };
  } finally {
    await killServer(server);
  }
}
