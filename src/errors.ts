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
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

const error = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code, ...extra } });

export const unauthenticated = (message = 'Authentication required') => error(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed') => error(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => error(ErrorCode.NOT_FOUND, `${what} not found`);
export const badUserInput = (message: string, field?: string) =>
  error(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
export const usernameTaken = () => error(ErrorCode.USERNAME_TAKEN, 'This username is taken');
export const rateLimited = (retryAfterSeconds: number) =>
  error(ErrorCode.RATE_LIMITED, 'Too many attempts, try again later', {
    retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/** Codes our own helpers and GraphQL/Apollo set deliberately: safe to show. */
export function isExpectedError(code: unknown): boolean {
  return typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR;
}
