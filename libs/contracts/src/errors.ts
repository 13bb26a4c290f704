/** Stable error codes shared by every service; HTTP status mapping lives in the gateway's one error handler. */
export const ERROR_CODES = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'quota_exceeded',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.name = 'AppError';
    this.code = code;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/**
 * A failed pipeline stage. `transient` failures are retried with backoff; permanent ones are dead-lettered
 * at once. `consumeAttempt: false` delays without spending an attempt (an open circuit breaker).
 */
export class TaskError extends Error {
  readonly code: string;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  readonly consumeAttempt: boolean;

  constructor(code: string, message: string, opts: { transient: boolean; retryAfterMs?: number | undefined; consumeAttempt?: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'TaskError';
    this.code = code;
    this.transient = opts.transient;
    this.retryAfterMs = opts.retryAfterMs;
    this.consumeAttempt = opts.consumeAttempt ?? true;
  }
}

export function transientError(
  code: string,
  message: string,
  opts: { retryAfterMs?: number | undefined; consumeAttempt?: boolean; cause?: unknown } = {},
): TaskError {
  return new TaskError(code, message, { ...opts, transient: true });
}

export function permanentError(code: string, message: string, opts: { cause?: unknown } = {}): TaskError {
  return new TaskError(code, message, { ...opts, transient: false });
}
