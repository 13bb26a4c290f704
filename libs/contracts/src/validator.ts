import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema, Static } from '@sinclair/typebox';
import type { FieldError } from './errors.ts';
import { PATTERN_MESSAGES } from './text-patterns.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ValidatorOptions {
  coerceTypes?: boolean;
  useDefaults?: boolean;
}

/** One ajv per option set; compiled validators are cached by schema identity. */
export function createValidator(options: ValidatorOptions = {}) {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false,
    coerceTypes: options.coerceTypes ?? false,
    useDefaults: options.useDefaults ?? false,
    removeAdditional: false,
  });
  addFormats(ajv);
  const cache = new WeakMap<object, ValidateFunction>();

  function compiled(schema: TSchema): ValidateFunction {
    let fn = cache.get(schema);
    if (!fn) {
      fn = ajv.compile(schema);
      cache.set(schema, fn);
    }
    return fn;
  }

  return {
    check<S extends TSchema>(schema: S, data: unknown): { ok: true; value: Static<S> } | { ok: false; errors: FieldError[] } {
      const fn = compiled(schema);
      if (fn(data)) return { ok: true, value: data as Static<S> };
      return { ok: false, errors: toFieldErrors(fn.errors ?? []) };
    },
  };
}

export type Validator = ReturnType<typeof createValidator>;

export function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    // `if` only reports that a `then`/`else` branch failed; the branch's own error is more precise.
    if (e.keyword === 'if') continue;
    let field = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      field = field ? `${field}.${extra}` : extra;
      message = 'is not an allowed field';
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      message = 'is required';
    } else if (e.keyword === 'not') {
      message = 'has a field that is not allowed in this combination';
    } else if (e.keyword === 'pattern') {
      message = PATTERN_MESSAGES[(e.params as { pattern: string }).pattern] ?? message;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    }
    const key = `${field}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ field: field || '(root)', message });
    }
  }
  return out;
}
