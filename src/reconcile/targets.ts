// With `--target both`: where the real pod's observation differs from its stand-in's. The stand-in
// listens on every declared port and is selected by every policy exactly as the pod is, so it shows
// what the policy does; the pod shows what the application does on top. Pure.
import { observedAllowance, type Observed } from '../model/probe.js'
import type { ReconciledCheck } from './reconcile.js'

export interface TargetDifference {
  from: string
  to: string
  port: number | string
  protocol: string
  standIn: Observed
  pod: Observed
  finding: string
}

const STAND_IN_SUFFIX = '@stand-in'

export function compareTargets(checks: ReconciledCheck[]): TargetDifference[] {
  const byId = new Map(checks.map((c) => [c.job.id, c]))
  return checks.flatMap((standIn) => {
    if (!standIn.job.target.standIn || !standIn.job.id.endsWith(STAND_IN_SUFFIX)) return []
    const pod = byId.get(standIn.job.id.slice(0, -STAND_IN_SUFFIX.length))
    const finding = pod && difference(standIn, pod)
    if (!pod || !finding) return []
    const { job } = pod
    return [{ from: job.from.key, to: job.to.key, port: job.port, protocol: job.protocol, standIn: standIn.observed, pod: pod.observed, finding }]
  })
}

function difference(standIn: ReconciledCheck, pod: ReconciledCheck): string | undefined {
  const policy = observedAllowance(standIn.observed)
  const application = observedAllowance(pod.observed)
  if (policy === undefined || application === undefined || policy === application) return undefined
  const port = `${pod.job.protocol} ${pod.job.target.port}`
  if (policy === 'allow' && pod.observed === 'refused') return `the pod is reached but refuses: the application does not listen on ${port} (its stand-in was reached)`
  if (policy === 'allow') return `its stand-in was reached but the pod did not answer on ${port}: something besides NetworkPolicy drops it at the pod, or the application does not answer`
  if (application === 'allow') return `the pod is reached on ${port} but a pod with its labels and ports is not: the enforcer treats the pod differently from what its labels say (did they change since the snapshot?)`
  return undefined
}

export function differenceLine(d: TargetDifference): string {
  return `${d.from} → ${d.to} ${d.protocol}/${d.port}: ${d.finding}`
}
