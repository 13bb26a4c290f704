import type { TSchema, Static } from '@sinclair/typebox';
import { AppError, createValidator } from '@pressroom/contracts';

const bodies = createValidator();
// Query strings and path segments are text on the wire; integers are coerced, nothing is stripped or defaulted.
const params = createValidator({ coerceTypes: true });

export function parseBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  const r = bodies.check(schema, body ?? {});
  if (!r.ok) throw new AppError('validation_failed', `invalid request body: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors: r.errors });
  return r.value;
}

export function parseQuery<S extends TSchema>(schema: S, query: unknown): Static<S> {
  const copy = { ...(query as object) };
  const r = params.check(schema, copy);
  if (!r.ok) throw new AppError('validation_failed', `invalid query: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors: r.errors });
  return r.value;
}

export function parseParams<S extends TSchema>(schema: S, values: unknown): Static<S> {
  const r = params.check(schema, { ...(values as object) });
  if (!r.ok) throw new AppError('validation_failed', `invalid path: ${r.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors: r.errors });
  return r.value;
}
