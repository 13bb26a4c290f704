import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Usd = Type.Number({ minimum: 0, maximum: 1_000_000_000 });
const Day = Type.String({ format: 'date', maxLength: 10 });

/** The caller's LLM spend (`GET /v1/me`): today and this month, by UTC day, and the daily budget if one is set. */
export const SpendView = Type.Object(
  {
    today_usd: Usd,
    month_usd: Usd,
    daily_budget_usd: Type.Union([Usd, Type.Null()]),
    resets_at: Type.String({ format: 'date-time', maxLength: 40 }),
  },
  strict,
);

/** `from` and `to` are UTC days, both inclusive; by default this month so far. */
export const AdminSpendQuery = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) },
  strict,
);
export type AdminSpendQuery = Static<typeof AdminSpendQuery>;

export const UserSpendView = Type.Object(
  {
    user_id: Type.String({ format: 'uuid', maxLength: 36 }),
    email: Type.String({ maxLength: 254 }),
    /** Content requests accepted in the range. */
    requests: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    spent_usd: Usd,
  },
  strict,
);

/** Users with any activity in the range, highest spend first; `total_usd` covers every user, not only this page. */
export const AdminSpendPage = Type.Object({ from: Day, to: Day, total_usd: Usd, items: Type.Array(UserSpendView, { maxItems: 500 }) }, strict);
