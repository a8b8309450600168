// The GraphQL span of a traced request: one span around the execution of the
// operation (named "query Timeline", as OpenTelemetry's GraphQL conventions
// have it), active while resolvers run, so Prisma's spans nest under it and
// it nests under the HTTP server span. Installed only when tracing is on
// (OTEL_EXPORTER_OTLP_ENDPOINT); graphql-jit executes HTTP operations, so
// the graphql-js instrumentation would see none of them.
import type { ExecutionResult, OperationDefinitionNode } from 'graphql';

/** What Apollo hands a gateway's executor, as much as is read here. */
interface ExecutionRequest {
  operation?: OperationDefinitionNode;
  operationName?: string | null;
}

type Executor = (request: never) => Promise<ExecutionResult>;

export function traceExecution<G extends { load(): Promise<{ executor: Executor }> }>(gateway: G): G {
  return {
    ...gateway,
    async load() {
      // Loaded here, so a server without tracing never loads the OpenTelemetry API.
      const { SpanStatusCode, trace } = await import('@opentelemetry/api');
      const tracer = trace.getTracer('messaging-api');
      const loaded = await gateway.load();
      const execute = loaded.executor as (request: ExecutionRequest) => Promise<ExecutionResult>;
      const executor = (request: ExecutionRequest) => {
        const type = request.operation?.operation ?? 'query';
        const name = request.operation?.name?.value ?? request.operationName ?? undefined;
        const attributes = { 'graphql.operation.type': type, ...(name && { 'graphql.operation.name': name }) };
        return tracer.startActiveSpan(name ? `${type} ${name}` : type, { attributes }, async (span) => {
          try {
            const result = await execute(request);
            const code = result.errors?.[0]?.extensions?.code;
            if (result.errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : 'error' });
            return result;
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        });
      };
      return { ...loaded, executor };
    },
  };
}
