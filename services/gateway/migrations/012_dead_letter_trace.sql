-- The trace context a dead letter carried (`traceparent`, `tracestate`), so that its replay continues the
-- request's trace instead of starting a new one under the operator's call. NULL for letters stored before this
-- column, for letters without one (tracing off), and for messages RabbitMQ dead-lettered without the header.
ALTER TABLE dead_letters ADD COLUMN trace_headers jsonb;
