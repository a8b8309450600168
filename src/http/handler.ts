// The HTTP side: a plain node:http handler (no framework: it costs ~30 % on
// small queries here). Routes: /graphql (Apollo), /healthz, /readyz, /, and
// /app (the chat page, appPage.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import cors from 'cors';
import helmet from 'helmet';
import { createContext, type AppServices } from '../context.js';
import { authFromToken } from '../auth/viewer.js';
import { bearerToken } from '../auth/tokens.js';
import { TrustedDocuments } from '../graphql/trustedDocuments.js';
import type { MetricsEndpoint } from '../observability/endpoint.js';
import { newRequestId, type GraphQLContext } from './apollo.js';
import { clientAddressKey } from './clientAddress.js';
import { createBodyReader } from './body.js';
import { corsHeadersByOrigin, recordHeaders, setHeaders } from './headers.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const run = (middleware: Middleware, req: IncomingMessage, res: ServerResponse) =>
  new Promise<void>((resolve, reject) => middleware(req, res, (error) => (error ? reject(error) : resolve())));

export interface Readiness {
  stopping: boolean;
  database: boolean;
  /** undefined when Redis is not configured. */
  redis?: boolean;
}

export interface HttpHandlerOptions {
  services: AppServices;
  apollo: ApolloServer<GraphQLContext>;
  readiness: () => Promise<Readiness>;
  /** GET /metrics on this port; unset when it has a port of its own (METRICS_PORT). */
  metrics?: MetricsEndpoint;
  /** The chat page at /app (appPage.ts), when APP_PAGE is on. */
  appPage?: AppPage;
}

export type AppPage = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

const isAppPath = (pathname: string) => pathname === '/app' || pathname.startsWith('/app/');

/**
 * 503 when this instance should get no traffic (stopping, or no database);
 * 200 "degraded" when only Redis is away: HTTP works, but events and limits
 * are per instance until it returns. Taking every instance out of a load
 * balancer because Redis blipped would turn a degradation into an outage.
 */
function readinessReport(state: Readiness): { status: number; body: Record<string, string> } {
  const checks: Record<string, string> = { database: state.database ? 'up' : 'down' };
  if (state.redis !== undefined) checks.redis = state.redis ? 'up' : 'down';
  if (state.stopping) return { status: 503, body: { status: 'stopping', ...checks } };
  if (!state.database) return { status: 503, body: { status: 'unavailable', ...checks } };
  return { status: 200, body: { status: state.redis === false ? 'degraded' : 'ready', ...checks } };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** Transport-level refusals, shaped like GraphQL errors so clients can read them. */
function sendHttpError(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/**
 * The path and query of a request target. The API's own path is recognised
 * without building a URL (a WHATWG URL per request costs); anything else is
 * normalised by URL, as before.
 */
function parseTarget(target = '/'): { pathname: string; search: string } {
  if (target === '/graphql' || target.startsWith('/graphql?')) return { pathname: '/graphql', search: target.slice('/graphql'.length) };
  const url = new URL(target, 'http://localhost');
  return { pathname: url.pathname, search: url.search };
}

const WELCOME = `<!doctype html><meta charset="utf-8"><title>Messaging API</title>
<h1>Messaging API</h1><p>The GraphQL endpoint is <a href="/graphql">/graphql</a>
(POST or GET; WebSocket subscriptions with the graphql-transport-ws protocol on the same path).</p>`;

export function createHttpHandler({ services, apollo, readiness, metrics, appPage }: HttpHandlerOptions) {
  const { config, log } = services;
  const trusted = TrustedDocuments.load(config.trustedDocuments);
  const corsMiddleware = cors(
    config.corsOrigins ? { origin: config.corsOrigins, maxAge: 600 } : { origin: '*', maxAge: 600 },
  ) as Middleware;
  // Security headers for a JSON API read by other origins. The strict CSP is
  // left off /graphql, where browsers get Apollo's landing page (CDN scripts).
  const readByOtherOrigins = { crossOriginResourcePolicy: { policy: 'cross-origin' }, crossOriginEmbedderPolicy: false } as const;
  const headersForApi = recordHeaders(
    helmet({
      ...readByOtherOrigins,
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }) as Middleware,
  );
  const headersForGraphql = recordHeaders(helmet({ ...readByOtherOrigins, contentSecurityPolicy: false }) as Middleware);
  const corsHeaders = corsHeadersByOrigin(corsMiddleware);
  const readJsonBody = createBodyReader({ limitBytes: config.bodyLimitBytes, maxDepth: config.jsonMaxDepth });

  async function graphql(req: IncomingMessage, res: ServerResponse, search: string, requestId: string) {
    if (req.method === 'OPTIONS') {
      // A preflight: answered by cors, with what the request asks for.
      setHeaders(res, headersForGraphql);
      res.setHeader('x-request-id', requestId);
      return run(corsMiddleware, req, res);
    }
    const head = [...headersForGraphql, ...corsHeaders(req.headers.origin), 'x-request-id', requestId];
    const read = await readJsonBody(req, res);
    if ('refused' in read) return sendHttpError(setHeaders(res, head), read.refused.status, read.refused.code, read.refused.message);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // By hash (documentId or APQ) from the client manifest; with TRUSTED_DOCUMENTS=only nothing else.
    const request = trusted.httpRequest(read.body, search);
    if ('refused' in request) return sendHttpError(setHeaders(res, head), 400, String(request.refused.extensions.code), request.refused.message);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method!.toUpperCase(),
        headers,
        search: request.search,
        body: request.body,
      },
      context: async () => {
        const auth = await authFromToken(services, bearerToken(req.headers.authorization));
        const context = createContext(services, auth, clientAddressKey(config, req)) as GraphQLContext;
        context.requestId = requestId;
        return context;
      },
    });
    for (const [key, value] of response.headers) head.push(key, value);
    if (response.body.kind === 'complete') {
      // writeHead stores the head at once, so node can no longer count the body
      // for itself: without a content-length it would send it chunked (a writev
      // of head, chunk size, body and trailer instead of one write).
      const body = response.body.string;
      head.push('content-length', String(Buffer.byteLength(body)));
      res.writeHead(response.status ?? 200, head).end(body);
      return;
    }
    // One writeHead with every header: no per-header setHeader calls.
    res.writeHead(response.status ?? 200, head);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = newRequestId();
    const { pathname, search } = parseTarget(req.url);
    try {
      if (pathname === '/graphql') return await graphql(req, res, search, requestId);
      res.setHeader('x-request-id', requestId);
      // The chat page sets its own headers (a CSP that lets it run its scripts).
      if (appPage && isAppPath(pathname)) return appPage(req, res, pathname);
      setHeaders(res, headersForApi);
      switch (pathname) {
        case '/metrics':
          if (metrics) return await metrics(req, res);
          return sendHttpError(res, 404, 'NOT_FOUND', 'Not found: the API is at /graphql');
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz': {
          const report = readinessReport(await readiness());
          return sendJson(res, report.status, report.body);
        }
        case '/':
          if (req.method === 'GET' || req.method === 'HEAD') {
            res.setHeader('content-type', 'text/html; charset=utf-8');
            res.end(WELCOME);
            return;
          }
          return sendHttpError(res, 405, 'METHOD_NOT_ALLOWED', 'Use /graphql');
        default:
          return sendHttpError(res, 404, 'NOT_FOUND', 'Not found: the API is at /graphql');
      }
    } catch (error) {
      log.error({ err: error, requestId }, 'request failed');
      // /graphql sends its headers with the answer (one writeHead): a failure before that still carries them.
      if (res.headersSent) return void res.end();
      setHeaders(res, pathname === '/graphql' ? headersForGraphql : headersForApi);
      res.setHeader('x-request-id', requestId);
      sendHttpError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    }
  };
}
