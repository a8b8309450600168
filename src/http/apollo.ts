// Apollo Server settings: landing pages, error masking, draining.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { ErrorCode, MAX_ERRORS_PER_RESPONSE, boundMessage, errorCode, hideSuggestions, isExpectedError } from '../errors.js';
import type { Limits } from '../graphql/limits.js';
import { jitGateway } from '../graphql/jitExecutor.js';
import { TrustedDocuments } from '../graphql/trustedDocuments.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { observeOperations } from '../observability/operations.js';
import { traceExecution } from '../observability/spans.js';

export type GraphQLContext = Context & { requestId: string };

export function createApollo(options: {
  schema: GraphQLSchema;
  config: Config;
  log: Logger;
  httpServer: Server;
  limits: Limits;
  metrics: Metrics;
  /** Closes the WebSocket side when Apollo stops. */
  onDrain: () => Promise<void>;
}): ApolloServer<GraphQLContext> {
  const { config, log, limits } = options;
  const trusted = TrustedDocuments.load(config.trustedDocuments);

  // Unexpected errors (bugs, database failures) are logged with the request id
  // the client receives, and reach clients without internals in production.
  const logUnexpectedErrors: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (!isExpectedError(errorCode(error))) {
              log.error({ err: original, requestId: contextValue.requestId, operationName }, 'unexpected error');
            }
          }
        },
        // Bounded (an error answer stays small whatever was sent), and an
        // internal error carries the request id a client can quote to support.
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.slice(0, MAX_ERRORS_PER_RESPONSE).map((error) =>
            error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR
              ? { ...error, extensions: { ...error.extensions, requestId: contextValue.requestId } }
              : error,
          );
        },
      };
    },
  };

  // Variables and cost are checked with the operation's real values, after
  // validation and before a resolver runs (the same check as the WebSocket side).
  const checkOperation: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // Apollo answers that itself
          const problem = limits.checkOperation(schema, document, operation, request.variables);
          if (problem) throw new GraphQLError(problem.message, { extensions: { ...problem.extensions, http: { status: 400 } } });
        },
      };
    },
  };

  const landingPage = {
    sandbox: () => ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    production: () => ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    off: () => ApolloServerPluginLandingPageDisabled(),
  }[config.landingPage]();

  return new ApolloServer<GraphQLContext>({
    // The schema comes through the gateway hook, whose executor is graphql-jit
    // (with tracing on, each execution is a span: observability/spans.ts).
    gateway: (config.tracing ? traceExecution(jitGateway(options.schema)) : jitGateway(options.schema)) as never,
    csrfPrevention: true,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    // One operation per request: a batch of 100 logins would be 100 attempts in one request.
    allowBatchedHttpRequests: false,
    // APQ answers hashes from the client manifest; with TRUSTED_DOCUMENTS=only it registers nothing new.
    persistedQueries: { cache: trusted.apqCache() },
    parseOptions: limits.parseOptions,
    validationRules: limits.rules,
    // main.ts owns the signals: Apollo's own handler would stop Apollo and
    // re-raise SIGTERM before the event bus and database are closed.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => maskError(formatted, error, config.production),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      { async serverWillStart() { return { drainServer: options.onDrain }; } },
      // Field-level cache hints are unused here; the plugin wraps every resolver.
      ApolloServerPluginCacheControlDisabled(),
      landingPage,
      // graphql-armor is typed against the CommonJS build of @apollo/server; same objects.
      ...(limits.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      checkOperation,
      logUnexpectedErrors,
      // Last, so it sees the answer as sent: one log line and one histogram observation per operation.
      // Operation lines are built field by field (ids, names, codes): nothing in
      // them to redact, and pino's wildcard redaction was ~3 % of a `me` request.
      observeOperations<GraphQLContext>(log.child({}, { redact: [] }), options.metrics),
    ],
  });
}

function maskError(formatted: GraphQLFormattedError, error: unknown, production: boolean): GraphQLFormattedError {
  const code = errorCode(error);
  if (isExpectedError(code) || !production) {
    const message = boundMessage(production ? hideSuggestions(formatted.message) : formatted.message);
    const extensions = code === undefined ? { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } : formatted.extensions;
    return { ...formatted, message, extensions };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

export const newRequestId = () => randomUUID();
