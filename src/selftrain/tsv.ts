/** Tab-separated tables of a run's candidates and epochs: integers as they are, other numbers to 4 decimals, missing values empty. */
export function tsvTable<T extends object>(cols: readonly (keyof T & string)[], rows: T[]): string {
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v === undefined ? '' : String(v));
  return [cols.join('\t'), ...rows.map((r) => cols.map((k) => fmt(r[k])).join('\t'))].join('\n') + '\n';
}
