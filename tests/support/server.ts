// Starts the real server (HTTP + WebSocket) on a free port with a fresh
// SQLite file, and gives tests real clients: fetch for HTTP, graphql-ws for
// subscriptions.
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { loadConfig } from '../../src/config.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!!';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, any>; path?: unknown[] }>;
}

export interface TestServer {
  app: RunningApp;
  url: string;
  wsUrl: string;
  database: TestDatabase;
  /** SQL statements Prisma has sent since the last resetQueries(). */
  queries: string[];
  resetQueries(): void;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  ws(token?: string | (() => string | undefined), options?: Partial<Parameters<typeof createClient>[0]>): Client;
  stop(): Promise<void>;
}

/** Settings of a test server; env overrides go through the real config parser. */
export function testEnv(databaseUrl: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_SECRET,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    ...env,
  };
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadConfig(testEnv(database.url, env));
  const queries: string[] = [];
  const app = await startApp(config, {
    log: createLogger(config.logLevel),
    onQuery: (sql) => queries.push(sql),
  });
  const url = `http://127.0.0.1:${app.port}/graphql`;
  const clients: Client[] = [];
  return {
    app,
    url,
    wsUrl: url.replace('http', 'ws'),
    database,
    queries,
    resetQueries: () => void queries.splice(0),
    gql: (query, variables, token) => postGraphQL(url, query, variables, token),
    ws(token, options = {}) {
      const client = wsClient(url, token, options);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.dispose()));
      await app.stop();
      await database.drop();
    },
  };
}

/** A graphql-ws client for the server at `url` (http://.../graphql); dispose it when done. */
/** Resolves when a client made by wsClient has its first connection acknowledged (subscribe() waits for it). */
export const firstConnection = new WeakMap<Client, Promise<void>>();

export function wsClient(
  url: string,
  token?: string | (() => string | undefined),
  options: Partial<Parameters<typeof createClient>[0]> = {},
): Client {
  const client = createClient({
    url: url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {}, // tests assert close codes themselves
    connectionParams: () => {
      const value = typeof token === 'function' ? token() : token;
      return value ? { authorization: `Bearer ${value}` } : {};
    },
    ...options,
  });
  firstConnection.set(client, new Promise((resolve) => client.on('connected', () => resolve())));
  return client;
}

export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    throw new Error(`Non-JSON response ${response.status}: ${text.slice(0, 200)}`);
  }
}

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { accessToken refreshToken expiresAt user { id username createdAt } }
  }
`;

export interface Account {
  id: string;
  username: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;
export async function registerUser(server: TestServer, username?: string, password = 'correct horse battery'): Promise<Account> {
  const name = username ?? `user_${process.pid}_${++counter}`;
  const result = await server.gql(REGISTER, { input: { username: name, password } });
  if (!result.data) throw new Error(`register failed: ${JSON.stringify(result.errors)}`);
  const payload = result.data.register;
  return { id: payload.user.id, username: payload.user.username, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
}

export const codes = (result: GraphQLResponse) => (result.errors ?? []).map((error) => error.extensions?.code);

export const CREATE = /* GraphQL */ `
  mutation Create($content: String!) {
    createMessage(input: { content: $content }) { id content edited createdAt updatedAt author { id username } }
  }
`;

export async function createMessage(server: TestServer, account: Account, content: string) {
  const result = await server.gql(CREATE, { content }, account.accessToken);
  if (!result.data) throw new Error(`createMessage failed: ${JSON.stringify(result.errors)}`);
  return result.data.createMessage as { id: string; content: string; createdAt: string; updatedAt: string };
}
