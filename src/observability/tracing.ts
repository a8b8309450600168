// OpenTelemetry traces, to an OTLP/HTTP collector (Jaeger, Tempo, the
// OpenTelemetry Collector ...). main.ts imports this module only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, and before the app's modules, so
// without it none of these packages is loaded.
//
// A request's trace: the HTTP server span (instrumentation-http), the
// GraphQL execution span under it (spans.ts) and Prisma's own spans under
// that (@prisma/instrumentation: the operation, and each SQL statement as
// prisma:client:db_query). Incoming `traceparent` headers are honoured, so
// a caller's trace continues here. OTEL_TRACES_SAMPLER / _ARG and the
// OTEL_BSP_* batch settings are read by the SDK itself.
import { createRequire } from 'node:module';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import type { Config } from '../config.js';

/** Paths polled by load balancers and Prometheus: a span each would bury the requests. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export interface Tracing {
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export async function startTracing(options: NonNullable<Config['tracing']>): Promise<Tracing> {
  // http/json is OTLP's JSON encoding; http/protobuf (the specification's default) its binary one.
  const { OTLPTraceExporter } =
    options.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // The global tracer, AsyncLocalStorage context and W3C trace-context propagation.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '/').split('?')[0]!),
        // Only the server side: the API makes no HTTP calls of its own worth a span.
        ignoreOutgoingRequestHook: () => true,
      }),
      new PrismaInstrumentation(),
    ],
  });
  // The instrumentation patches node:http when it is required. The app
  // imports it as an ES module, which that hook does not see; requiring it
  // here patches the one module object both share (the server's
  // prototype, where incoming requests are caught).
  createRequire(import.meta.url)('node:http');
  return { shutdown: () => provider.shutdown() };
}
