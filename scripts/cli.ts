// What the developer commands (db:reset, db:seed) share: the production
// guard and reading the configuration, each ending the process with one
// readable line instead of a stack trace.
import { ConfigError, loadConfig, type Config } from '../src/config.js';

/** Stops unless `--force` was given when NODE_ENV=production. */
export function refuseInProductionWithoutForce(command: string, consequence: string, force = process.argv.includes('--force')): void {
  if (process.env.NODE_ENV === 'production' && !force) {
    console.error(`${command}: NODE_ENV=production; ${consequence}. Run \`npm run ${command} -- --force\` if that is really meant.`);
    process.exit(1);
  }
}

/** The configuration, or exit 1 with the one line naming the bad variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
