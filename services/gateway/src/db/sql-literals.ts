// SQL text built from the contracts' own constants (stage names, statuses, their order), so that a statement and
// the TypeScript beside it cannot drift apart. Never for values from a request: those are parameters.

const literal = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/** `('a', 'b')`, for `IN`. */
export const sqlList = (values: readonly string[]): string => `(${values.map(literal).join(', ')})`;

/** `CASE expr WHEN 'k' THEN v … [ELSE d] END` from a map. */
export function sqlCase(expr: string, cases: Readonly<Record<string, string | number>>, otherwise?: string | number): string {
  const whens = Object.entries(cases).map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`);
  return `CASE ${expr} ${whens.join(' ')}${otherwise === undefined ? '' : ` ELSE ${literal(otherwise)}`} END`;
}

/** `('a', 1), ('b', 2)`, for `VALUES`. */
export const sqlRows = (rows: readonly (readonly (string | number)[])[]): string => rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ');
