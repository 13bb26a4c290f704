export { createLogger, REDACT_PATHS, type Logger, type LoggerOptions } from './create-logger.ts';
export { withLogContext, withoutLogContext, addLogContext, currentLogContext, type LogContext } from './log-context.ts';
export { redactUrl, redactPathAndQuery, redactText, REDACTED } from './url-redaction.ts';
