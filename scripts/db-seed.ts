// npm run db:seed [-- --messages 5000] [-- --force]: a demo dataset in the
// database DATABASE_URL names, written through the API itself (the server is
// started in this process on a free local port), so every rule, position and
// read state is what real use would make: six users with known passwords,
// public and private channels, direct conversations, thousands of messages
// (some on the public timeline), each user's read position a little behind.
// Start from an empty database (npm run db:reset). Refused when
// NODE_ENV=production unless --force: it creates accounts whose passwords it prints.
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfigOrExit, refuseInProductionWithoutForce } from './cli.js';
import { startApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '3000' }, force: { type: 'boolean', default: false } } });
const MESSAGES = Number(args.messages);
if (!Number.isInteger(MESSAGES) || MESSAGES < 1 || MESSAGES > 1_000_000) {
  console.error('db:seed: --messages expects a whole number from 1 to 1000000');
  process.exit(1);
}
refuseInProductionWithoutForce('db:seed', 'this creates accounts with known passwords', Boolean(args.force));
const config = loadConfigOrExit();

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const password = (username: string) => `${username}-demo-password`;
const CHANNELS = [
  { name: 'general', topic: 'Everything and anything', visibility: 'PUBLIC', owner: 'alice', members: USERS.slice(1) },
  { name: 'random', topic: 'Off topic', visibility: 'PUBLIC', owner: 'bob', members: ['alice', 'dave', 'frank'] },
  { name: 'releases', topic: 'What shipped', visibility: 'PUBLIC', owner: 'carol', members: ['alice', 'bob'] },
  { name: 'core-team', topic: 'Private: planning', visibility: 'PRIVATE', owner: 'alice', members: ['bob', 'carol'] },
  { name: 'oncall', topic: 'Private: incidents', visibility: 'PRIVATE', owner: 'dave', members: ['erin'] },
];
const DIRECT = [
  ['alice', 'bob'],
  ['alice', 'carol'],
  ['bob', 'dave'],
  ['erin', 'frank'],
];

// Deterministic text: the same dataset on every run.
let state = 42;
const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const WORDS = 'the a deploy review ticket lunch coffee release bug fix test schema query index cache latency today tomorrow meeting docs design idea ship merge branch thanks great sounds good question answer later now please'.split(' ');
const sentence = () => {
  const words = Array.from({ length: 3 + Math.floor(random() * 14) }, () => pick(WORDS));
  return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}${pick(['.', '!', '?', '.'])}`;
};

const app = await startApp({ ...config, host: '127.0.0.1', port: 0, metrics: { ...config.metrics, port: null } }, { log: createLogger('warn', config.logFormat) });

async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) {
    const [error] = body.errors;
    throw Object.assign(new Error(`${error!.extensions?.code}: ${error!.message}`), { code: error!.extensions?.code });
  }
  return body.data!;
}

async function seed(): Promise<void> {
  const tokens = new Map<string, string>();
  for (const username of USERS) {
    try {
      const { register } = await gql<{ register: { accessToken: string } }>(
        'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken } }',
        { input: { username, password: password(username) } },
      );
      tokens.set(username, register.accessToken);
    } catch (error) {
      if ((error as { code?: string }).code !== 'USERNAME_TAKEN') throw error;
      console.error(`db:seed: user ${username} exists already; start from an empty database: npm run db:reset`);
      process.exitCode = 1;
      return;
    }
  }
  const token = (username: string) => tokens.get(username)!;

  /** Where messages go: the public timeline (conversationId null) and each conversation, with who may write there. */
  const places: Array<{ label: string; conversationId: string | null; members: string[]; ids: string[] }> = [
    { label: 'public timeline', conversationId: null, members: USERS, ids: [] },
  ];
  for (const channel of CHANNELS) {
    const { createChannel } = await gql<{ createChannel: { id: string } }>(
      'mutation Channel($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
      { input: { name: channel.name, topic: channel.topic, visibility: channel.visibility, memberUsernames: channel.members } },
      token(channel.owner),
    );
    places.push({ label: `#${channel.name}`, conversationId: createChannel.id, members: [channel.owner, ...channel.members], ids: [] });
  }
  for (const [from, to] of DIRECT) {
    const { openDirectConversation } = await gql<{ openDirectConversation: { id: string } }>(
      'mutation Direct($username: String!) { openDirectConversation(username: $username) { id } }',
      { username: to },
      token(from!),
    );
    places.push({ label: `${from} <-> ${to}`, conversationId: openDirectConversation.id, members: [from!, to!], ids: [] });
  }

  const sends = Array.from({ length: MESSAGES }, () => {
    const place = pick(places);
    return { place, author: pick(place.members), content: sentence() };
  });
  const bar = new cliProgress.SingleBar({ format: 'messages {bar} {value}/{total} ({percentage}%) {eta_formatted} left' }, cliProgress.Presets.shades_classic);
  bar.start(MESSAGES, 0);
  // A few at a time, in order per worker: enough to keep the server busy, never a flood.
  let next = 0;
  const worker = async () => {
    while (next < sends.length) {
      const send = sends[next++]!;
      const { createMessage } = await gql<{ createMessage: { id: string } }>(
        'mutation Send($input: CreateMessageInput!) { createMessage(input: $input) { id } }',
        { input: { content: send.content, ...(send.place.conversationId && { conversationId: send.place.conversationId }) } },
        token(send.author),
      );
      send.place.ids.push(createMessage.id);
      bar.increment();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  bar.stop();

  // Everyone has read all but the last few messages of each conversation, so unread counts show.
  for (const place of places) {
    if (place.conversationId === null || place.ids.length === 0) continue;
    const readUpTo = place.ids[Math.max(0, place.ids.length - 1 - Math.floor(random() * 6))];
    for (const member of place.members) {
      await gql('mutation Read($c: ID!, $m: ID!) { markRead(conversationId: $c, messageId: $m) { id } }', { c: place.conversationId, m: readUpTo }, token(member));
    }
  }

  console.log(`\nSeeded ${MESSAGES} messages:`);
  for (const place of places) console.log(`  ${place.label.padEnd(18)} ${String(place.ids.length).padStart(6)}  members: ${place.members.join(', ')}`);
  console.log('\nUsers (username / password):');
  for (const username of USERS) console.log(`  ${username.padEnd(8)} ${password(username)}`);
}

try {
  await seed();
} finally {
  await app.stop();
}
