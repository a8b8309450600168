import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** json: one JSON line per entry; pretty: pino-pretty; pretty-on-tty: pretty when stdout is a terminal (development). */
export type LogFormat = 'json' | 'pretty' | 'pretty-on-tty';

/** `destination` (JSON lines only; stdout by default) lets tests read what would be logged. */
export function createLogger(level: string, format: LogFormat = 'json', destination?: DestinationStream): Logger {
  const pretty = format === 'pretty' || (format === 'pretty-on-tty' && process.stdout.isTTY === true);
  const options = {
    level,
    // Never log credentials, even at debug level.
    redact: ['req.headers.authorization', '*.password', '*.refreshToken', '*.accessToken'],
    // In a worker thread, so formatting costs the request path nothing.
    ...(pretty && { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }),
  };
  return destination && !pretty ? pino(options, destination) : pino(options);
}
