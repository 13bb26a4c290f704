import { Type, type TUnsafe } from '@sinclair/typebox';

/** A plain JSON-schema `enum` (one clear error message) instead of TypeBox's anyOf-of-literals. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
