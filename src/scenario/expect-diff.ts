// `probe --expect-diff`: after a rollout, the connections a `diff -o json` report predicted to be
// gained must be allowed and those lost denied. Each row becomes one expectation per pod pair, so
// the judging is `probe --expect`'s. A diff of manifest files names workloads, not pods: its rows
// name nothing in the cluster and are rejected (exit 2) before anything is created.
import { z } from 'zod'
import { PROTOCOLS } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { readText } from '../snapshot/files.js'
import { parseExpectation } from './expectation.js'
import type { LocatedExpectation } from './live-expect.js'
import { checkShape } from './schema.js'

const row = z.object({
  change: z.enum(['gained', 'lost']),
  from: z.array(z.string()).min(1),
  to: z.array(z.string()).min(1),
  port: z.union([z.number(), z.string()]),
  protocol: z.enum(PROTOCOLS as [string, ...string[]]),
})
const report = z.object({ rows: z.array(row) })

export async function readDiffExpectations(file: string): Promise<LocatedExpectation[]> {
  const text = await readText(file)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InputError('not JSON: expected the output of `kubectl netpol diff -o json`', { file })
  }
  const { rows } = checkShape(report, value, file)
  return rows.flatMap((r, i) => r.from.flatMap((from) => r.to.filter((to) => to !== from).map((to): LocatedExpectation => ({
    ...parseExpectation(`${from} -> ${to}:${r.port}/${r.protocol} ${r.change === 'gained' ? 'allow' : 'deny'}`),
    path: `rows[${i}]`,
  }))))
}
