// GET /metrics: on the API's port, or on METRICS_PORT (a server of its own,
// which a load balancer in front of the API never routes to). With
// METRICS_TOKEN, only `Authorization: Bearer <token>` gets an answer.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export type MetricsEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const digest = (text: string) => createHash('sha256').update(text).digest();

export function metricsEndpoint(metrics: Metrics, token: string | null): MetricsEndpoint {
  // Digests have one length, so the comparison takes the same time whatever was sent.
  const expected = token === null ? null : digest(`Bearer ${token}`);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
      return;
    }
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A node:http server answering only /metrics, for METRICS_PORT. */
export async function startMetricsServer(endpoint: MetricsEndpoint, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    endpoint(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}/metrics`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A scraper keeps its connection alive between scrapes.
      server.closeAllConnections();
      await closed;
    },
  };
}
