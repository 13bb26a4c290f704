import { AppError } from '@pressroom/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients; a position (created_at, id) in base64url JSON. Anything else is a 400. */
export function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { created_at: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value as unknown[];
      if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && typeof id === 'string' && UUID.test(id)) return { created_at: createdAt, id };
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
