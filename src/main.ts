// Process entry: `npm start`. Config errors stop the process with one line.
// The app is imported after the config is read: tracing, when on, must be
// set up before the modules it instruments load.
import { ConfigError, loadConfig } from './config.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const tracing = config.tracing ? await (await import('./observability/tracing.js')).startTracing(config.tracing) : null;
  const { startApp } = await import('./app.js');
  const app = await startApp(config);
  const { log } = app.services;

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Hard stop if draining hangs (a stuck request must not block a deploy).
    setTimeout(() => {
      log.error('graceful shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.stop().then(
      // The last spans (this shutdown's included) reach the collector before exit.
      () => tracing?.shutdown().catch((error: unknown) => log.warn({ err: error }, 'traces not flushed')),
    ).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
