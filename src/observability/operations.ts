// One log line and one histogram observation per GraphQL operation over
// HTTP. What is logged is chosen field by field (ids, names, codes, timing):
// never variables, tokens or message content, whatever the operation.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Auth } from '../auth/viewer.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

/** What the plugin reads from each request's context. */
export interface ObservedContext {
  requestId: string;
  auth: Auth;
}

/** A GraphQL Name (what a document's operation name is), else null: a name that failed to parse is client text. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export function observeOperations<TContext extends ObservedContext>(log: Logger, metrics: Metrics): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ contextValue, operation, request, response }) {
          const seconds = (performance.now() - startedAt) / 1000;
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const codes = errorCodes(errors);
          const outcome = codes.length > 0 ? 'error' : 'ok';
          // Unresolved (unparsable, invalid, ambiguous): the name the client sent, if it is one.
          const name = operation ? (operation.name?.value ?? null) : (NAME.test(request.operationName ?? '') ? request.operationName! : null);
          const type = operation?.operation ?? 'unknown';
          metrics.operation(operation ? metrics.operationLabel(name) : '(unresolved)', type, outcome, seconds, codes);
          if (!log.isLevelEnabled('info')) return;
          log.info(
            {
              requestId: contextValue.requestId,
              operationName: name,
              operationType: type,
              durationMs: Math.round(seconds * 10_000) / 10,
              viewerId: contextValue.auth.kind === 'viewer' ? contextValue.auth.claims.userId : null,
              outcome,
              errorCodes: codes,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

/** The distinct `extensions.code`s of an answer, in order (every error has one: apollo.ts's formatError sees to it). */
function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  if (!errors || errors.length === 0) return [];
  const codes: string[] = [];
  for (const error of errors) {
    const code = error.extensions?.code;
    const text = typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
    if (!codes.includes(text)) codes.push(text);
  }
  return codes;
}
