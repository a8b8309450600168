// Response headers that do not depend on the request are computed once: helmet
// and cors run against a recording stand-in for the response, and each request
// then sets the recorded list (for /graphql, in the one writeHead call).
// Running them as middleware on every request was ~3 % of a `me` request.
import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Header names and values, alternating: what `res.writeHead` takes without building an object. */
export type HeaderList = string[];

/** The headers a synchronous middleware (helmet, cors for a simple request) sets for this request. */
export function recordHeaders(middleware: Middleware, headers: IncomingMessage['headers'] = {}, method = 'GET'): HeaderList {
  const recorded = new Map<string, string>();
  const response = {
    statusCode: 200,
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return response;
    },
    getHeader: (name: string) => recorded.get(name.toLowerCase()),
    removeHeader: (name: string) => void recorded.delete(name.toLowerCase()),
    end() {},
  };
  let done = false;
  middleware({ headers, method } as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error) throw error;
    done = true;
  });
  if (!done) throw new Error('recordHeaders: the middleware did not finish synchronously');
  return [...recorded].flat();
}

export function setHeaders(res: ServerResponse, list: HeaderList): ServerResponse {
  for (let i = 0; i < list.length; i += 2) res.setHeader(list[i]!, list[i + 1]!);
  return res;
}

/** At most this many distinct Origin values keep their CORS headers (the header is client text). */
const MAX_ORIGINS = 256;

/**
 * The CORS headers of a non-preflight request: they depend only on its Origin
 * header, so each distinct value is answered by cors once.
 */
export function corsHeadersByOrigin(middleware: Middleware): (origin: string | undefined) => HeaderList {
  const byOrigin = new Map<string, HeaderList>();
  return (origin) => {
    const key = origin ?? '';
    let list = byOrigin.get(key);
    if (list === undefined) {
      list = recordHeaders(middleware, origin === undefined ? {} : { origin }, 'POST');
      if (byOrigin.size >= MAX_ORIGINS) byOrigin.clear();
      byOrigin.set(key, list);
    }
    return list;
  };
}
