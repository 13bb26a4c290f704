import { AppError } from '@pressroom/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Exactly what encodeCursor writes (toISOString of a timestamptz): Date.parse alone accepts "1", which
// PostgreSQL's timestamptz cast does not.
const ISO_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isInstant(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value;
}

/** Opaque to clients; a position (created_at, id) in base64url JSON. Anything else is a 400. */
function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { created_at: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value as unknown[];
      if (isInstant(createdAt) && typeof id === 'string' && UUID.test(id)) return { created_at: createdAt, id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new AppError('validation_failed', 'the cursor is not valid', { errors: [{ field: 'cursor', message: 'is not a cursor returned by this API' }] });
}

/** A page from `limit + 1` rows: the extra row only says whether there is a next page. */
export function toPage<T extends { created_at: string; id: string }, V>(rows: T[], limit: number, view: (row: T) => V) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), next_cursor: rows.length > limit && last ? encodeCursor(last) : null };
}
