// Small helpers over plain lists, shared by the reconciler, grading and the reports.

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/**
 * A summary of outcomes: `checks` (how many items) and, per field, how many items have that
 * field's outcome, e.g. `tally(checks, (c) => c.verdict, { agree: 'agree', overEnforced: 'over-enforced' })`.
 */
export function tally<T, F extends string>(items: T[], outcome: (item: T) => string, fields: Record<F, string>): { checks: number } & Record<F, number> {
  const counts = { checks: items.length } as { checks: number } & Record<F, number>
  for (const [field, value] of Object.entries(fields) as Array<[F, string]>) counts[field] = items.filter((i) => outcome(i) === value).length as never
  return counts
}
