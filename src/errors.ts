// The contract's error codes (schema.graphql header). Every error a client
// sees is made by one of these helpers, so codes stay consistent.
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  RATE_LIMITED: 'RATE_LIMITED',
  NAME_TAKEN: 'NAME_TAKEN',
  RESYNC_REQUIRED: 'RESYNC_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Apollo's codes for refusals before execution; the WebSocket side uses the same.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
} as const;

const error = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extra } });

export const unauthenticated = (message = 'Authentication required') => error(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed') => error(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => error(ErrorCode.NOT_FOUND, `${what} not found`);
export const badUserInput = (message: string, field?: string) =>
  error(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const nameTaken = () => error(ErrorCode.NAME_TAKEN, 'A public channel has this name');
export const resyncRequired = (message = 'This cursor can no longer be resumed: refetch, then subscribe afresh') =>
  error(ErrorCode.RESYNC_REQUIRED, message);
export const usernameTaken = () => error(ErrorCode.USERNAME_TAKEN, 'This username is taken');
export const rateLimited = (retryAfterSeconds: number) =>
  error(ErrorCode.RATE_LIMITED, 'Too many attempts, try again later', {
    retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/**
 * The `extensions.code` of an error or of the error it wraps. Duck-typed on
 * purpose: graphql-jit wraps resolver errors with graphql's CommonJS build,
 * so `instanceof GraphQLError` (the ESM class) would miss them.
 */
export function errorCode(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { extensions?: { code?: unknown } }).extensions?.code;
    if (code !== undefined) return code;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/** Codes our own helpers and GraphQL/Apollo set deliberately: safe to show. */
export function isExpectedError(code: unknown): boolean {
  return typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}

/** Longest quotation of client input in an error message. */
const MAX_QUOTE_CHARS = 80;
/** Longest message and most errors in one response: an error answer stays a few kB whatever the request. */
export const MAX_ERROR_MESSAGE_CHARS = 1000;
export const MAX_ERRORS_PER_RESPONSE = 10;

/** A short, single-line excerpt of a client's value for an error message. */
export function excerpt(value: unknown, max = MAX_QUOTE_CHARS): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value.slice(0, max + 1)) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Cuts a message that may quote client input (field names, values) to a readable length. */
export function boundMessage(message: string, max = MAX_ERROR_MESSAGE_CHARS): string {
  return message.length > max ? `${message.slice(0, max)}…` : message;
}

/** "Did you mean …?" would reveal the schema when introspection is off (production). */
export function hideSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
}
