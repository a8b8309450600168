// The page's connection to the API: the session (tokens in sessionStorage, so
// they end with the tab and are not shared between tabs), GraphQL over fetch
// with the access token refreshed before it expires, and the graphql-ws
// client for the event stream. Same origin as the page: /graphql.
import { createClient, type Client } from 'graphql-ws/client';

export interface User {
  id: string;
  username: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** When accessToken expires (ISO date). */
  expiresAt: string;
  user: User;
}

/** A GraphQL error, with the contract's extensions.code when the server gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const STORAGE_KEY = 'chat.session';
/** Refresh this long before expiry, so a request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 30_000;

const AUTH_FIELDS = 'accessToken refreshToken expiresAt user { id username }';
const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation Refresh($token: String!) { refreshToken(refreshToken: $token) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation Logout($token: String) { logout(refreshToken: $token) }`;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function post<T>(query: string, variables: Record<string, unknown>, accessToken?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached', 'NETWORK');
  }
  const body = (await response.json().catch(() => null)) as GraphQLBody<T> | null;
  const first = body?.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code);
  if (!body?.data) throw new ApiError(`Unexpected answer (HTTP ${response.status})`, undefined);
  return body.data;
}

function readSession(): Session | null {
  try {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    return stored ? (JSON.parse(stored) as Session) : null;
  } catch {
    return null;
  }
}

/** The signed-in user's tokens; every request goes through request(). */
export class Auth {
  session: Session | null = readSession();
  private refreshing: Promise<Session> | null = null;
  /** Set when the server called the access token expired before our clock did (clock skew). */
  private stale = false;
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(session: Session | null) {
    this.session = session;
    if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of this.listeners) listener();
  }

  async signUp(username: string, password: string) {
    this.set((await post<{ register: Session }>(REGISTER, { input: { username, password } })).register);
  }

  async logIn(username: string, password: string) {
    this.set((await post<{ login: Session }>(LOGIN, { input: { username, password } })).login);
  }

  /** Ends this session on the server too; the page forgets the tokens even if that fails. */
  async logOut() {
    const refreshToken = this.session?.refreshToken;
    this.set(null);
    if (refreshToken) await post(LOGOUT, { token: refreshToken }).catch(() => {});
  }

  /** A usable access token, refreshed first when it expires soon. */
  async accessToken(): Promise<string> {
    const session = this.session;
    if (!session) throw new ApiError('Not signed in', 'UNAUTHENTICATED');
    if (!this.stale && Date.parse(session.expiresAt) - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * One refresh at a time: refresh tokens are single use, so two concurrent
   * refreshes with the same token would look like token theft to the server.
   */
  refresh(): Promise<Session> {
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) return Promise.reject(new ApiError('Not signed in', 'UNAUTHENTICATED'));
    this.refreshing ??= post<{ refreshToken: Session }>(REFRESH, { token: refreshToken })
      .then(({ refreshToken: next }) => {
        this.stale = false;
        this.set(next);
        return next;
      })
      .catch((error: unknown) => {
        // A refused refresh token (expired, revoked) ends the session; a network blip does not.
        if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.set(null);
        throw error;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** A query or mutation as the signed-in user; an access token the server no longer takes is refreshed once. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const token = await this.accessToken();
    try {
      return await post<T>(query, variables, token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED' || !this.session) throw error;
      // Refreshed meanwhile by another request: just use the new token.
      const next = this.session.accessToken !== token ? this.session : await this.refresh();
      return post<T>(query, variables, next.accessToken);
    }
  }

  /** A graphql-ws client that authenticates every (re)connection with a fresh token. */
  webSocket(): Client {
    const url = new URL('/graphql', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = createClient({
      url: url.href,
      connectionParams: async () => ({ authorization: `Bearer ${await this.accessToken()}` }),
      // The server closes with 4001 when the access token expires: reconnecting
      // (connectionParams refreshes it) is the normal path, so never give up.
      retryAttempts: Infinity,
      shouldRetry: () => this.session !== null,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000) + Math.random() * 500)),
    });
    // 4001: the server says the token expired. If this clock disagrees, the
    // retry would present the same token forever; refresh it instead.
    client.on('closed', (event) => {
      if ((event as { code?: number }).code === 4001) this.stale = true;
    });
    return client;
  }
}
