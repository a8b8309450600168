// Reading a GraphQL request's JSON body. The common case (an uncompressed
// UTF-8 JSON body) is read with raw-body and parsed here: body-parser's chain
// (type-is, iconv-lite, debug, content-type) was ~8 % of a `me` request's CPU.
// A compressed body still goes through body-parser, which inflates it; both
// paths check the depth on the raw bytes and answer with the same errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import { exceedsJsonDepth } from './jsonDepth.js';

interface BodyLimits {
  limitBytes: number;
  maxDepth: number;
}

/** What the request carried (undefined: no JSON body), or why it is refused. */
export type BodyResult = { body: unknown } | { refused: { status: number; code: string; message: string } };

/** The media types read as JSON (Apollo's own, and what graphql-http clients send). */
const JSON_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/** Thrown from body-parser's verify step, which runs before JSON.parse. */
class JsonTooDeep extends Error {
  readonly status = 400;
}

/** The media type and charset of a Content-Type header, lower-cased (parameters other than charset ignored). */
function mediaType(header: string | undefined): { type: string; charset: string | null } | null {
  if (!header) return null;
  const semicolon = header.indexOf(';');
  const type = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (semicolon === -1) return { type, charset: null };
  const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header.slice(semicolon))?.[1]?.toLowerCase() ?? null;
  return { type, charset };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed) return resolve();
    req.once('end', resolve).once('close', resolve).resume();
  });
}

export function createBodyReader({ limitBytes, maxDepth }: BodyLimits) {
  const tooLarge = { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `Request body larger than ${limitBytes} bytes` };
  const tooDeep = { status: 400, code: 'BAD_REQUEST', message: `JSON nested deeper than ${maxDepth} levels` };
  const malformed = (status = 400) => ({ status, code: 'BAD_REQUEST', message: 'Malformed request body: expected JSON' });

  // Loaded with the first compressed body: most deployments never see one.
  let inflating: Promise<(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void> | undefined;
  const inflater = () =>
    (inflating ??= import('body-parser').then(({ default: bodyParser }) =>
      bodyParser.json({
        limit: limitBytes,
        type: [...JSON_TYPES],
        verify: (_req, _res, raw) => {
          if (exceedsJsonDepth(raw, maxDepth)) throw new JsonTooDeep();
        },
      }),
    ));

  function refusal(error: unknown) {
    if (error instanceof JsonTooDeep) return { refused: tooDeep };
    const status = (error as { status?: number }).status ?? 400;
    return { refused: status === 413 ? tooLarge : malformed(status) };
  }

  return async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<BodyResult> {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      const inflate = await inflater();
      try {
        await new Promise<void>((resolve, reject) => inflate(req, res, (error) => (error ? reject(error) : resolve())));
      } catch (error) {
        return refusal(error);
      }
      return { body: (req as IncomingMessage & { body?: unknown }).body };
    }

    const media = mediaType(req.headers['content-type']);
    if (media === null || !JSON_TYPES.has(media.type) || !hasBody(req)) return { body: undefined };
    // As body-parser: JSON is read as UTF-8 only.
    if (media.charset !== null && !media.charset.startsWith('utf-')) return { refused: malformed(415) };
    let raw: Buffer;
    try {
      raw = await getRawBody(req, { limit: limitBytes, length: req.headers['content-length'] });
    } catch (error) {
      // Read off the rest, as body-parser does, so the client gets the answer instead of a reset.
      await drain(req);
      return refusal(error);
    }
    if (raw.length === 0) return { body: {} };
    if (exceedsJsonDepth(raw, maxDepth)) return { refused: tooDeep };
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return { refused: malformed() };
    }
    // As body-parser's strict mode: an object or an array, never a bare value.
    if (typeof body !== 'object' || body === null) return { refused: malformed() };
    return { body };
  };
}
