// The chat page at /app: the files Vite built into web/dist/ (npm run build;
// the sources are in web/). Served from disk by serve-static, whose `send`
// refuses paths that climb out of the folder (403), dotfiles and malformed
// encodings, and answers content types, ETag/304 and ranges. Only when
// config.appPage (APP_PAGE); otherwise /app is the API's usual 404.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from 'helmet';
import serveStatic from 'serve-static';
import type { Logger } from '../logger.js';

/** web/dist/, seen from src/http/ (tsx) and from dist/http/ (compiled) alike. */
export const APP_PAGE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

function sendText(res: ServerResponse, status: number, text: string) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

/** The /app handler; `pathname` is the request's normalised path (WHATWG URL: dot segments already resolved). */
export function createAppPage(log: Logger, dir = APP_PAGE_DIR) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) log.warn({ dir }, 'APP_PAGE is on but the chat page is not built: run npm run build');

  // Everything from this origin, nothing else: no CDN, no inline script or
  // style, no framing. 'self' covers the page's same-origin WebSocket too.
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
  }) as Middleware;

  const assets = join(dir, 'assets') + sep;
  const files = serveStatic(dir, {
    index: ['index.html'],
    redirect: false,
    fallthrough: false, // errors come to the callback below, with send's status
    dotfiles: 'ignore',
    setHeaders(res, path) {
      // Vite names assets by content hash: cacheable for good. index.html
      // names the current ones, so it is revalidated (ETag) every time.
      res.setHeader('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  }) as Middleware;

  return function appPage(req: IncomingMessage, res: ServerResponse, pathname: string) {
    headers(req, res, () => {
      // serve-static reads the path below /app from req.url.
      req.url = pathname.slice('/app'.length) || '/';
      files(req, res, (error) => {
        const status = (error as { status?: number } | undefined)?.status ?? 500;
        if (status >= 500) log.error({ err: error }, 'serving the chat page failed');
        if (res.headersSent) return void res.destroy(); // failed mid-file: nothing better to say
        if (status === 404 && !existsSync(index)) return sendText(res, 404, 'The chat page is not built: run npm run build');
        const text: Record<number, string> = { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found' };
        sendText(res, status, text[status] ?? 'Internal server error');
      });
    });
  };
}
