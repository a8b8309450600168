// Seeding through the API, as clients would (it also checks the write path
// works): users, then messages, then the cursor the deep-page scenario starts at.
import { postGraphQL, REGISTER } from '../tests/support/server.js';
import type { BenchServer } from './server.js';
import type { Settings } from './settings.js';

export const SEED_PASSWORD = 'correct horse battery staple';

/** Selects only the id: the fan-out times this mutation, so it must not grow with the tests' CREATE. */
export const CREATE = 'mutation Create($content: String!) { createMessage(input: { content: $content }) { id } }';

/** postGraphQL, but any error is thrown: seeding and fan-out need every request to work. */
export async function gql<T>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const result = await postGraphQL<T>(url, query, variables, token);
  if (result.errors || !result.data) throw new Error(`GraphQL request failed: ${JSON.stringify(result.errors ?? result)}`);
  return result.data;
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** The seeded users' names, in order (authors take turns: each has messages / users of them). */
export const seedUsername = (i: number) => `bench_user_${String(i).padStart(2, '0')}`;

/** Registers the users and posts the messages; returns the users' access tokens. */
async function seed(url: string, settings: Settings): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < settings.users; i++) {
    const data = await gql<{ register: { accessToken: string } }>(url, REGISTER, {
      input: { username: seedUsername(i), password: SEED_PASSWORD },
    });
    tokens.push(data.register.accessToken);
  }
  // Authors take turns, so a page of 20 has 20 different authors: the nested
  // scenario then really asks for 20 users' pages.
  const indexes = Array.from({ length: settings.messages }, (_, i) => i);
  await inParallel(indexes, 10, async (i) => {
    await gql(url, CREATE, { content: `Seed message ${i}: lorem ipsum dolor sit amet.` }, tokens[i % tokens.length]);
  });
  return tokens;
}

/** The cursor of the `count`th newest message, found by paging like a client would. */
async function cursorAfter(url: string, token: string, count: number): Promise<string> {
  let after: string | null = null;
  for (let seen = 0; seen < count; seen += 100) {
    const data: { messages: { pageInfo: { endCursor: string | null } } } = await gql(
      url,
      'query P($after: String) { messages(first: 100, after: $after) { pageInfo { endCursor } } }',
      { after },
      token,
    );
    after = data.messages.pageInfo.endCursor;
  }
  return after!;
}

export async function seedServer(server: BenchServer, settings: Settings) {
  const seedStart = performance.now();
  const tokens = await seed(server.url, settings);
  const deepCursor = await cursorAfter(server.url, tokens[0]!, 1000);
  console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);
  return { tokens, deepCursor };
}
