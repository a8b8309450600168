// graphql-jit as the executor of HTTP operations, plugged in through Apollo's
// `gateway` hook: Apollo still parses, validates and caches documents and
// runs every plugin (limits, error masking, logging); only execution is
// compiled, once per document and operation, instead of interpreted on
// every request. WebSocket operations keep graphql-js (graphql-ws executes
// them itself).
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** What Apollo hands an executor (@apollo/server-gateway-interface), as much as is used here. */
interface ExecutionRequest {
  document: DocumentNode;
  operationName: string | null;
  request: { variables?: Record<string, unknown> };
  context: unknown;
}

export function jitGateway(schema: GraphQLSchema) {
  // Apollo's document cache hands the same DocumentNode for the same query
  // text, so compiled queries live exactly as long as their document.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();

  async function execute(request: ExecutionRequest): Promise<ExecutionResult> {
    const name = request.operationName ?? '';
    let byOperation = compiled.get(request.document);
    if (!byOperation) {
      byOperation = new Map();
      compiled.set(request.document, byOperation);
    }
    let query = byOperation.get(name);
    if (!query) {
      const result = compileQuery(schema, request.document, request.operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      query = result;
      byOperation.set(name, query);
    }
    return query.query(undefined, request.context, request.request.variables ?? {});
  }

  return {
    async load() {
      return { executor: execute };
    },
    onSchemaLoadOrUpdate(callback: (schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
