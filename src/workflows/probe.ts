// probe: snapshot → evaluate → plan → probe → reconcile → report data.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { PodEndpoint } from '../evaluate/endpoint.js'
import { createEvaluator, type Evaluator, type Verdict } from '../evaluate/evaluate.js'
import { explain, type Explanation } from '../evaluate/explain.js'
import { lint, lintScopeOf, type LintWarning } from '../evaluate/lint.js'
import {
  externalAddresses, filterEndpoints, parseEndpointPattern, parseLabelSelector, parsePort, parseProtocol,
} from '../evaluate/scope.js'
import { compileSelector } from '../evaluate/selector.js'
import type { KubeClient } from '../kube/client.js'
import type { ClusterSnapshot, Protocol } from '../model/cluster.js'
import { ClusterError, InputError } from '../model/errors.js'
import { parseAddress } from '../model/ip.js'
import { planProbes, type ProbeJob, type SkippedSource } from '../plan/plan.js'
import { createProbeEngine, type ProbeEvent, type ProbeMode } from '../probe/engine.js'
import {
  diagnose, isDisagreement, orderForReport, reconcileOne, summarize, type CheckVerdict, type Observed, type Predicted,
  type ProbeResult, type ReconciledCheck, type Summary,
} from '../reconcile/reconcile.js'
import { nameKnownDeviation, type Enforcer } from '../reconcile/deviations.js'
import { checkNames, judgeExpectations, podCandidate, type ExpectationReport, type LocatedExpectation, type MeasuredCheck } from '../scenario/live-expect.js'
import { parseExpectationFile } from '../scenario/schema.js'
import { loadSnapshot } from '../snapshot/source.js'
import type { QueryOptions } from './predict.js'

export interface ProbeOptions extends QueryOptions {
  /** Unlike predict's addresses: `IP:PORT` or `IP:PORT/PROTOCOL` destinations outside the cluster. */
  externals: string[]
  service: boolean
  allPods: boolean
  mode: ProbeMode
  image: string
  checkTimeout: number
  startTimeout: number
  /** Seconds to keep re-probing disagreements before reporting them. */
  settle: number
  parallelism: number
  /** UDP ports known to echo (scenario servers). */
  udpEchoPorts?: Set<string>
  /** A server is known to listen on every declared port (scenario worlds). */
  serversListen?: boolean
  /** A file of expectations about the pods in scope (`--expect`); each pod is then probed individually. */
  expectFile?: string
  /** The cluster's enforcer, when known: disagreements it is known to cause are named. */
  enforcer?: Enforcer
  /** A connected client and the snapshot to predict from, instead of reading `source` (scenario runs). */
  live?: { client: KubeClient; snapshot: ClusterSnapshot }
  onEvent?: (event: ProbeRunEvent) => void
  /** Receives the cleanup of the run as soon as something may have been created (for Ctrl-C). */
  onCleanup?: (cleanup: () => Promise<void>) => void
}

export type ProbeRunEvent = ProbeEvent | { kind: 'snapshot'; pods: number; policies: number } | { kind: 'planned'; jobs: number; sources: number } | { kind: 'settling'; pending: number }

/** One row of the JSON contract. */
export interface ProbeCheckResult {
  from: string
  to: string
  port: number | string
  protocol: Protocol
  predicted: Predicted
  observed: Observed
  verdict: CheckVerdict
  target: string
  attempts: number
  note?: string
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
  image: string
  results: ProbeCheckResult[]
  summary: Summary & { durationMs: number }
  diagnoses: string[]
  skipped: SkippedSource[]
  warnings: LintWarning[]
  notes: string[]
  /** With `expectFile`: the measured connections the expectations cover, judged. */
  expectations?: ExpectationReport
}

export async function probe(options: ProbeOptions): Promise<ProbeReport> {
  const started = Date.now()
  if (options.source.files.length > 0) throw new InputError('probe measures a live cluster and takes no -f; use `predict -f` for files', { field: '--filename' })
  const request = parseRequest(options)
  const expectations = options.expectFile === undefined ? undefined : await loadExpectations(options.expectFile)
  const { snapshot, client } = options.live ?? await loadSnapshot(options.source)
  options.onEvent?.({ kind: 'snapshot', pods: snapshot.pods.length, policies: snapshot.policies.length })
  const externals = [...new Set([...request.externals.map((e) => e.ip), ...externalAddresses([...request.fromPatterns, ...request.toPatterns], snapshot.pods)])]
  const evaluator = createEvaluator({ ...snapshot, externals })
  const inScope = evaluator.endpoints.filter((e) => e.kind === 'pod' && (request.selector?.matches(e.pod.labels) ?? true))
  if (expectations) checkNames(expectations, inScope.map((e) => podCandidate(e as PodEndpoint)), options.expectFile!)
  const plan = planProbes(evaluator, {
    sources: filterEndpoints(inScope, request.fromPatterns, '--from'),
    destinations: filterEndpoints(inScope, request.toPatterns, '--to'),
    ports: request.ports,
    allPods: options.allPods || expectations !== undefined,
    externals: request.externals,
    services: options.service ? snapshot.services : undefined,
    udpEchoPorts: options.udpEchoPorts,
  })
  if (plan.jobs.length === 0) throw new InputError('nothing to probe: no running pod in scope declares a port (pass --port, -n/-A, or check --from/--to)')
  const sources = uniqueSources(plan.jobs)
  options.onEvent?.({ kind: 'planned', jobs: plan.jobs.length, sources: sources.length })
  await preflight(client!, options.mode, [...new Set(sources.map((s) => s.pod.namespace))])

  const runId = randomBytes(4).toString('hex').slice(0, 6)
  const engine = createProbeEngine(client!, {
    run: { runId, image: options.image, deadlineSeconds: Math.max(300, options.startTimeout + options.settle + 240) },
    mode: options.mode, checkTimeout: options.checkTimeout, parallelism: options.parallelism, startTimeout: options.startTimeout,
    onEvent: options.onEvent,
  })
  options.onCleanup?.(() => engine.cleanup())
  let checks: ReconciledCheck[]
  try {
    await engine.prepare(sources)
    checks = (await probeAndSettle(engine, plan.jobs, evaluator, options)).map((c) => nameKnownDeviation(c, options.enforcer))
  } finally {
    await engine.cleanup()
  }
  const ordered = orderForReport(checks)
  return {
    runId,
    mode: options.mode,
    image: options.image,
    results: ordered.map((c) => checkResult(c, evaluator)),
    summary: { ...summarize(checks), durationMs: Date.now() - started },
    diagnoses: diagnose(checks),
    skipped: plan.skipped,
    warnings: lint(evaluator, lintScopeOf(snapshot)),
    notes: snapshot.notes,
    ...(expectations ? { expectations: judgeExpectations(options.expectFile!, expectations, checks.flatMap(measuredCheck)) } : {}),
  }
}

async function loadExpectations(file: string): Promise<LocatedExpectation[]> {
  const text = await readFile(file, 'utf8').catch((error: Error) => { throw new InputError(`cannot read: ${error.message}`, { file }) })
  return parseExpectationFile(text, file)
}

function measuredCheck(c: ReconciledCheck): MeasuredCheck[] {
  const port = c.prediction.resolvedPort
  if (c.job.to.kind !== 'pod' || port === undefined) return []
  return [{ from: podCandidate(c.job.from), to: podCandidate(c.job.to), port, protocol: c.job.protocol, observed: c.observed }]
}

interface ParsedRequest {
  fromPatterns: ReturnType<typeof parseEndpointPattern>[]
  toPatterns: ReturnType<typeof parseEndpointPattern>[]
  ports: Array<{ port: number | string; protocol: Protocol }>
  externals: Array<{ ip: string; port: number; protocol: Protocol }>
  selector?: ReturnType<typeof compileSelector>
}

function parseRequest(options: ProbeOptions): ParsedRequest {
  const protocol = options.protocol === undefined ? undefined : parseProtocol(options.protocol)
  return {
    fromPatterns: options.from.map((f) => parseEndpointPattern(f, '--from')),
    toPatterns: options.to.map((t) => parseEndpointPattern(t, '--to')),
    ports: options.ports.map((p) => ({ port: parsePort(p), protocol: protocol ?? 'TCP' })),
    externals: options.externals.map((e) => parseExternal(e, protocol)),
    selector: options.source.scope.labelSelector === undefined ? undefined : compileSelector(parseLabelSelector(options.source.scope.labelSelector)),
  }
}

/** `IP:PORT`, `[IPv6]:PORT`, optionally followed by `/TCP|UDP|SCTP`. */
export function parseExternal(text: string, protocol?: Protocol): { ip: string; port: number; protocol: Protocol } {
  const match = /^(?:\[([^\]]+)\]|([^:/]+)):(\d+)(?:\/(\w+))?$/.exec(text)
  const ip = match?.[1] ?? match?.[2]
  if (!match || !ip || !parseAddress(ip)) throw new InputError(`invalid external ${JSON.stringify(text)}: expected IP:PORT, [IPv6]:PORT, optionally /PROTOCOL`, { field: '--external' })
  const port = parsePort(match[3], '--external')
  return { ip, port: Number(port), protocol: match[4] ? parseProtocol(match[4], '--external') : protocol ?? 'TCP' }
}

function uniqueSources(jobs: ProbeJob[]): PodEndpoint[] {
  return [...new Map(jobs.map((j) => [j.from.key, j.from])).values()]
}

/** Exec over WebSocket is authorized as `get` on pods/exec by current API servers, as `create` by others. */
const EXEC_PERMISSIONS: Permission[] = [{ verb: 'get', resource: 'pods', subresource: 'exec' }, { verb: 'create', resource: 'pods', subresource: 'exec' }]

interface Permission {
  verb: string
  resource: string
  subresource?: string
}

/** Fails before creating anything when a permission the run needs is missing, naming each one. */
async function preflight(client: KubeClient, mode: ProbeMode, namespaces: string[]): Promise<void> {
  const needed: Permission[] = mode === 'pod'
    ? [
        { verb: 'create', resource: 'configmaps' }, { verb: 'deletecollection', resource: 'configmaps' },
        { verb: 'create', resource: 'pods' }, { verb: 'list', resource: 'pods' }, { verb: 'deletecollection', resource: 'pods' },
        ...EXEC_PERMISSIONS,
      ]
    : [{ verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }, { verb: 'list', resource: 'pods' }, ...EXEC_PERMISSIONS]
  const checks = namespaces.flatMap((namespace) => needed.map((p) => ({ ...p, namespace })))
  const answers = await Promise.all(checks.map((c) => client.canI(c)))
  const missing = checks.filter((_, i) => !answers[i]).map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} in ${c.namespace}`)
  if (missing.length > 0) throw new ClusterError(`permission denied: missing ${missing.join(', ')} (see deploy/rbac.yaml)`)
}

/**
 * Probes every job once, then re-probes disagreements: policies take effect eventually, so a
 * disagreement is reported only once it has held for the settle period (or the job agrees).
 */
async function probeAndSettle(engine: ReturnType<typeof createProbeEngine>, jobs: ProbeJob[], evaluator: Evaluator, options: ProbeOptions): Promise<ReconciledCheck[]> {
  const predictions = new Map(jobs.map((job) => [job.id, predictJob(evaluator, job, options.mode)]))
  const reconcile = (job: ProbeJob, result: ProbeResult, attempts: number) =>
    reconcileOne({ job, prediction: predictions.get(job.id)!, result, attempts, serverListens: options.serversListen ?? false })
  const byId = new Map(jobs.map((j) => [j.id, j]))
  const checks = new Map((await engine.probe(jobs)).map((r) => [r.jobId, reconcile(byId.get(r.jobId)!, r, 1)]))
  const deadline = Date.now() + options.settle * 1000
  let pending = [...checks.values()].filter(isDisagreement)
  while (pending.length > 0 && Date.now() < deadline) {
    options.onEvent?.({ kind: 'settling', pending: pending.length })
    const roundStarted = Date.now()
    for (const result of await engine.probe(pending.map((c) => c.job))) {
      const previous = checks.get(result.jobId)!
      checks.set(result.jobId, reconcile(previous.job, result, previous.attempts + 1))
    }
    pending = pending.map((c) => checks.get(c.job.id)!).filter(isDisagreement)
    // Pace the rounds: a fast round (connections that succeed) should not spin against the API server.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - roundStarted))))
  }
  return [...checks.values()]
}

/**
 * A probe pod is a separate pod with the source's identity, so "a pod to itself" is judged by the
 * policies; an ephemeral container runs inside the source pod, so there it is real loopback.
 */
function predictJob(evaluator: Evaluator, job: ProbeJob, mode: ProbeMode): Verdict {
  return evaluator.evaluate({ from: job.from, to: job.to, port: job.port, protocol: job.protocol }, { loopback: mode === 'ephemeral' ? 'allowed' : 'policy' })
}

function checkResult(c: ReconciledCheck, evaluator: Evaluator): ProbeCheckResult {
  return {
    from: c.job.from.key,
    to: c.job.to.key,
    port: c.job.port,
    protocol: c.job.protocol,
    predicted: c.predicted,
    observed: c.observed,
    verdict: c.verdict,
    target: `${c.job.target.host}:${c.job.target.port}`,
    attempts: c.attempts,
    ...(c.note ? { note: c.note } : {}),
    ...(c.knownDeviation ? { knownDeviation: c.knownDeviation } : {}),
    ...(c.detail ? { detail: c.detail } : {}),
    sources: c.job.sourceMembers,
    ...(c.prediction.cniDefined.length > 0 ? { cniDefined: c.prediction.cniDefined.map((d) => d.kind) } : {}),
    ...(c.verdict !== 'agree' ? { explanation: explain(c.prediction, evaluator) } : {}),
  }
}
