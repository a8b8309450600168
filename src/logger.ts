import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    // Never log credentials, even at debug level.
    redact: ['req.headers.authorization', '*.password', '*.refreshToken', '*.accessToken'],
  });
}
