// Process entry: `npm start`. Config errors stop the process with one line.
import { ConfigError, loadConfig } from './config.js';
import { startApp } from './app.js';

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
