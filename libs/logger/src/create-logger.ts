import { pino, type Logger, type DestinationStream } from 'pino';
import { trace } from '@opentelemetry/api';
import { currentLogContext } from './log-context.ts';

/** The active span's ids on every line, so a log line leads straight to its trace in Jaeger. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || ctx.traceId === '00000000000000000000000000000000') return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

/** JSON lines for machines; human-readable colours only when a person is watching a terminal. */
function defaultDestination(): DestinationStream {
  if (process.stdout.isTTY && process.env['LOG_FORMAT'] !== 'json') {
    return pino.transport({ target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }) as DestinationStream;
  }
  return pino.destination({ dest: 1, sync: false });
}

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
      mixin: () => ({ ...currentLogContext(), ...traceFields() }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? defaultDestination(),
  );
}
