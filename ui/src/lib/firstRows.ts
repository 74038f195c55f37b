/**
 * A list that starts short: the first `first` rows until the user asks for the
 * rest (`expanded`), and how many are held back. Without `first`, all rows.
 */
export function firstRows<T>(rows: T[], first: number | undefined, expanded: boolean): { shown: T[]; hidden: number } {
  if (first === undefined || expanded || rows.length <= first) return { shown: rows, hidden: 0 };
  const limit = Math.max(0, Math.floor(first));
  return { shown: rows.slice(0, limit), hidden: rows.length - limit };
}
