// Structured JSON logs with pino: one logger per process, children per request; pretty only on a TTY.
import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from './config.js';
import { serializeError } from './log-errors.js';

export type { Logger };

/** `destination` lets tests capture every line (to prove, say, that no secret is ever logged). */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logPretty'>,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { pid: process.pid },
    // A failed query's statement, never its values (see log-errors.ts).
    serializers: { err: serializeError },
    // Secrets must never reach a log line, whatever a caller sends.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.refreshToken'],
      censor: '[redacted]',
    },
    ...(config.logPretty && !destination
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
