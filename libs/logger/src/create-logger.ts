import { pino, type Logger, type DestinationStream } from 'pino';
import { currentLogContext } from './log-context.ts';

export type { Logger };

/** Paths pino blanks out wherever they appear; the tests grep logs for plaintext secrets. */
export const REDACT_PATHS = [
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'secret',
  'api_key',
  'apiKey',
  'authorization',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.secret',
  '*.api_key',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  destination?: DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      errorKey: 'err',
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
