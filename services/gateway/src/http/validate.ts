import type { TSchema, Static } from '@sinclair/typebox';
import { AppError, createValidator, type FieldError } from '@pressroom/contracts';

const bodies = createValidator();
// Query strings and path segments are text on the wire; integers are coerced, nothing is stripped or defaulted.
const params = createValidator({ coerceTypes: true });

// PostgreSQL refuses NUL in text and jsonb, and an unpaired surrogate is not valid UTF-8: either would come back
// from the database as a 500. One cheap regex per string; the precise check runs only on a hit.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SUSPECT = /[\u0000\ud800-\udfff]/;
const UNSTORABLE = 'must not contain NUL characters or unpaired surrogates';
// JSON.parse('1e999') and ajv's coercion of "1e309" both give Infinity, which passes ajv's range checks.
const NOT_FINITE = 'must be a finite number';

function unstorable(s: string): boolean {
  return SUSPECT.test(s) && (s.includes('\u0000') || !s.isWellFormed());
}

/** The first value PostgreSQL could not store (a string, a key, a non-finite number), as a field error in toFieldErrors' notation. */
function findUnstorable(value: unknown, path: string): FieldError | undefined {
  if (typeof value === 'string') return unstorable(value) ? { field: path || '(root)', message: UNSTORABLE } : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field: path || '(root)', message: NOT_FINITE };
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], path ? `${path}.${i}` : String(i));
      if (hit) return hit;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (unstorable(key)) return { field, message: UNSTORABLE };
    const hit = findUnstorable((value as Record<string, unknown>)[key], field);
    if (hit) return hit;
  }
  return undefined;
}

function fail(where: string, errors: FieldError[]): never {
  throw new AppError('validation_failed', `invalid ${where}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
}

function checked<S extends TSchema>(validator: typeof bodies, schema: S, data: unknown, where: string): Static<S> {
  const r = validator.check(schema, data);
  if (!r.ok) fail(where, r.errors);
  const bad = findUnstorable(r.value, '');
  if (bad) fail(where, [bad]);
  return r.value;
}

export function parseBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  return checked(bodies, schema, body ?? {}, 'request body');
}

export function parseQuery<S extends TSchema>(schema: S, query: unknown): Static<S> {
  return checked(params, schema, { ...(query as object) }, 'query');
}

export function parseParams<S extends TSchema>(schema: S, values: unknown): Static<S> {
  return checked(params, schema, { ...(values as object) }, 'path');
}
