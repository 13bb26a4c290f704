import { pino, type Logger, type DestinationStream } from 'pino';
import { trace } from '@opentelemetry/api';
import { currentLogContext } from './log-context.ts';
import { redactText, redactUrl } from './url-redaction.ts';

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

/** Header names that carry credentials wherever a headers object is logged. */
const SECRET_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-subscription-token', 'webhook-signature', 'x-pressroom-signature'];

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
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
];

const asUrl = (value: unknown) => (typeof value === 'string' ? redactUrl(value) : value);

/**
 * Values that are URLs are logged as what may be recorded (scheme, host, port, masked path, query keys);
 * an error's message and stack lose any URL or `token=` pair in them. Serializers run only for lines that
 * carry the key, so an ordinary line pays nothing.
 */
const serializers = {
  url: asUrl,
  href: asUrl,
  target_url: asUrl,
  webhook_url: asUrl,
  err: (err: unknown) => {
    const out = pino.stdSerializers.err(err as Error) as { message?: unknown; stack?: unknown; [k: string]: unknown };
    if (typeof out.message === 'string') out.message = redactText(out.message);
    if (typeof out.stack === 'string') out.stack = redactText(out.stack);
    // got's errors carry their request options and response, URL and headers included.
    delete out['options'];
    delete out['request'];
    delete out['response'];
    delete out['input'];
    return out;
  },
};

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
      serializers,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination ?? defaultDestination(),
  );
}
