// The report contract of predict, explain and probe (what `--json` prints), and the functions that
// map the core's results onto it. Workflows build these reports; renderers read them.
import type { ConnectionChange, ChangeKind } from '../evaluate/diff.js'
import type { DirectionVerdict, Evaluator } from '../evaluate/evaluate.js'
import { decidingTierRule, explain, ruleLabel, tierRuleLabel, type Explanation } from '../evaluate/explain.js'
import type { LintWarning } from '../evaluate/lint.js'
import type { CniDefinedKind, Prediction } from '../evaluate/predict.js'
import type { Protocol } from '../model/cluster.js'
import type { CheckVerdict, Observed, Predicted, ProbeMode } from '../model/probe.js'
import type { SkippedSource } from '../plan/plan.js'
import type { ProbeTargetKind } from '../plan/stand-ins.js'
import type { ReconciledCheck, Summary } from '../reconcile/reconcile.js'
import type { TargetDifference } from '../reconcile/targets.js'
import type { ExpectationReport } from '../scenario/live-expect.js'

export interface SideSummary {
  isolated: boolean
  /** Rules that allow it, as `namespace/policy direction[index]`. */
  allowedBy: string[]
  /** The AdminNetworkPolicy or BaselineAdminNetworkPolicy rule that decided this side, when one did. */
  decidedBy?: string
}

/** What every row of the predict and probe contracts names: one connection, the port as asked. */
interface ConnectionRow {
  from: string
  to: string
  port: number | string
  protocol: Protocol
}

/** One row of the pod-level predict contract (`--all-pods`). */
export interface PredictResult extends ConnectionRow {
  allowed: boolean
  resolvedPort?: number
  /** Behaviour the spec leaves to the CNI that this result relies on (see README). */
  cniDefined?: CniDefinedKind[]
  /** With `--explain`: which rules decide each side. */
  egress?: SideSummary
  ingress?: SideSummary
}

/** A workload's pods in one equivalence class, as the grouped predict contract lists them. */
export interface GroupResult {
  /** `namespace/workload` (`#2`… when a workload spans classes), or the address. */
  id: string
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod (a bare pod) or External. */
  kind: string
  /** The equivalence class: groups of one class get the same verdicts. */
  class: number
  pods?: string[]
  /** Read from a manifest's pod template: the one pod listed stands for every replica. */
  template?: boolean
}

/** A destination group: also the ports it is checked on (its declared ports, or the asked ones). */
export interface DestinationGroupResult extends GroupResult {
  ports: Array<{ port: number | string; protocol: Protocol }>
}

/** One row of the grouped predict contract: a source group on one port, and where it may go. */
export interface MatrixRow {
  port: number | string
  protocol: Protocol
  from: string
  /** The destinations checked on this port (those that declare it, or all when the port was asked), by verdict. */
  allowed: string[]
  denied: string[]
  /** Destinations whose verdict relies on CNI-defined behaviour, and which. */
  cniDefined?: Record<string, CniDefinedKind[]>
  /** With `--explain`: per destination, which rules decide each side. */
  explanations?: Record<string, { resolvedPort?: number; egress: SideSummary; ingress: SideSummary }>
}

export interface PredictSummary {
  /** Group pairs (or pod pairs with `--all-pods`) per port. */
  allowed: number
  denied: number
  /** Pod pairs the group pairs stand for. */
  podPairs: { allowed: number; denied: number }
}

/**
 * predict's report: the matrix is read cell by cell while it is written out, never expanded in
 * memory, so it is a function of the prediction rather than a list of rows.
 */
export interface PredictReport {
  prediction: Prediction
  warnings: LintWarning[]
  notes: string[]
  /** kubectl's "No resources found in NS namespace." when no pod is in scope (the text outputs print only this). */
  noResources?: string
}

export interface ExplainReport {
  explanations: Explanation[]
  warnings: LintWarning[]
  notes: string[]
}

/** One row of the probe contract. */
export interface ProbeCheckResult extends ConnectionRow {
  predicted: Predicted
  observed: Observed
  verdict: CheckVerdict
  target: string
  /** The stand-in pod dialled instead of the destination (namespace/name). */
  standIn?: string
  attempts: number
  note?: string
  /** Id of the known enforcer deviation that explains this disagreement (`--enforcer-hint`). */
  knownDeviation?: string
  detail?: string
  /** Pods the source stands for. */
  sources: string[]
  cniDefined?: string[]
  explanation?: Explanation
}

export interface ProbeReport {
  runId: string
  mode: ProbeMode
  /** What was dialled: the destination pods, their stand-ins, or both. */
  target: ProbeTargetKind
  image: string
  results: ProbeCheckResult[]
  /** With `--target both`: where a pod's observation differs from its stand-in's, and what that says. */
  targetDifferences?: TargetDifference[]
  summary: Summary & { durationMs: number }
  diagnoses: string[]
  skipped: SkippedSource[]
  warnings: LintWarning[]
  notes: string[]
  /** With `--expect`: the measured connections the expectations cover, judged. */
  expectations?: ExpectationReport
}

export function sideSummary(side: DirectionVerdict): SideSummary {
  const tierRule = decidingTierRule(side)
  return { isolated: side.isolated, allowedBy: side.allowedBy.map(ruleLabel), ...(tierRule ? { decidedBy: tierRuleLabel(tierRule) } : {}) }
}

/** A reconciled check as the probe report lists it; a check that does not agree carries the evaluator's reasoning. */
export function checkResult(c: ReconciledCheck, evaluator: Evaluator): ProbeCheckResult {
  return {
    from: c.job.from.key,
    to: c.job.to.key,
    port: c.job.port,
    protocol: c.job.protocol,
    predicted: c.predicted,
    observed: c.observed,
    verdict: c.verdict,
    target: `${c.job.target.host}:${c.job.target.port}`,
    ...(c.job.target.standIn ? { standIn: c.job.target.standIn } : {}),
    attempts: c.attempts,
    ...(c.note ? { note: c.note } : {}),
    ...(c.knownDeviation ? { knownDeviation: c.knownDeviation } : {}),
    ...(c.detail ? { detail: c.detail } : {}),
    sources: c.job.sourceMembers,
    ...(c.prediction.cniDefined.length > 0 ? { cniDefined: c.prediction.cniDefined.map((d) => d.kind) } : {}),
    ...(c.verdict !== 'agree' ? { explanation: explain(c.prediction, evaluator) } : {}),
  }
}

/** One row of the diff contract: a class pair whose connection a change gains or loses. */
export interface DiffRow {
  change: ChangeKind
  /** Every source and destination the row stands for (pods, or the workloads of manifests). */
  from: string[]
  to: string[]
  port: number | string
  protocol: Protocol
  /** The rules responsible after the change: what now allows it (gained) or denies it (lost). */
  reason: string[]
}

export interface DiffReport {
  /** Where "before" came from: `cluster` or the files. */
  before: string
  /** The change, as given: `apply FILE`, `delete KIND/…`, `after FILES`. */
  change: string[]
  rows: DiffRow[]
  summary: { gained: number; lost: number; classes: number; evaluatedPairs: number }
  warnings: LintWarning[]
  notes: string[]
}

export function diffRow(c: ConnectionChange): DiffRow {
  const sides = (['egress', 'ingress'] as const).filter((d) => c.change === 'lost' ? !c.after[d].allowed : !c.before[d].allowed)
  return {
    change: c.change,
    from: c.from.map((e) => e.key),
    to: c.to.map((e) => e.key),
    port: c.query.port,
    protocol: c.query.protocol,
    reason: sides.map((d) => `${d}: ${sideDecision(c.after[d])}`),
  }
}

/** What decided one side, in words: the deciding tier rule, the NetworkPolicy rules, or nothing. */
export function sideDecision(side: DirectionVerdict): string {
  const tierRule = decidingTierRule(side)
  if (tierRule) return tierRuleLabel(tierRule)
  if (side.decidedBy === 'default') return 'no policy of any tier applies (allowed)'
  if (side.allowed) return `allowed by ${side.allowedBy.map(ruleLabel).join(', ')}`
  return `isolated by ${side.policies.map((p) => `${p.policy.namespace}/${p.policy.name}`).join(', ')}, no rule matches`
}
