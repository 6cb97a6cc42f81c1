// probe: snapshot → evaluate → plan → probe → reconcile → report data.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import { lint, lintScopeOf } from '../evaluate/lint.js'
import { resolveRequest, type Request } from '../evaluate/request.js'
import { askedPorts, uncheckedNote, type ExternalTarget } from '../evaluate/scope.js'
import { InputError, NothingFound, noResourcesFound } from '../model/errors.js'
import { planProbes } from '../plan/plan.js'
import { runProbes, type ProbeRunOptions } from '../probe/run.js'
import { diagnose, orderForReport, summarize } from '../reconcile/reconcile.js'
import { compareTargets, differenceLine } from '../reconcile/targets.js'
import { checkResult, type ProbeReport } from '../report/model.js'
import { readDiffExpectations } from '../scenario/expect-diff.js'
import { readExpectationFile } from '../scenario/expect-file.js'
import { checkNames, judgeExpectations, measuredChecks, podCandidate } from '../scenario/live-expect.js'
import { loadSnapshot, type SnapshotSource } from '../snapshot/source.js'

export interface ProbeOptions extends ProbeRunOptions {
  source: SnapshotSource
  request: Request
  /** Unlike predict's addresses: destinations outside the cluster with a port. */
  externals: ExternalTarget[]
  service: boolean
  allPods: boolean
  /** UDP ports known to echo (scenario servers). */
  udpEchoPorts?: Set<string>
  /** A file of expectations about the pods in scope (`--expect`); each pod is then probed individually. */
  expectFile?: string
  /** A `diff -o json` report (`--expect-diff`): its gained connections must be allowed, its lost ones denied. */
  expectDiffFile?: string
}

export async function probe(options: ProbeOptions): Promise<ProbeReport> {
  const started = Date.now()
  if (options.source.files.length > 0) throw new InputError('probe measures a live cluster and takes no -f; use `predict -f` for files', { field: '--filename' })
  const { request } = options
  if (options.expectFile !== undefined && options.expectDiffFile !== undefined) throw new InputError('--expect and --expect-diff cannot be combined', { field: '--expect-diff' })
  const expectationFile = options.expectFile ?? options.expectDiffFile
  const expectations = options.expectFile !== undefined ? await readExpectationFile(options.expectFile)
    : options.expectDiffFile !== undefined ? await readDiffExpectations(options.expectDiffFile) : undefined
  const { snapshot, client } = await loadSnapshot(options.source)
  options.onEvent?.({ kind: 'snapshot', pods: snapshot.pods.length, policies: snapshot.policies.length })
  const { evaluator, inScope, sources: from, destinations: to, ports } = resolveRequest(snapshot, request, {
    externals: options.externals.map((e) => e.ip),
    labelSelector: options.source.scope.labelSelector,
    includes: (e) => e.kind === 'pod',
  })
  if (!inScope.some((e) => e.kind === 'pod')) throw new NothingFound(noResourcesFound(snapshot.podScope?.namespaces))
  if (expectations) checkNames(expectations, inScope.map((e) => podCandidate(e as PodEndpoint)), expectationFile!)
  const plan = planProbes(evaluator, {
    sources: from,
    destinations: to,
    ports: askedPorts(request.ports, request.protocol),
    protocol: request.protocol,
    allPods: options.allPods || expectations !== undefined,
    externals: options.externals.map((e) => ({ ...e, protocol: e.protocol ?? request.protocol ?? 'TCP' })),
    services: options.service ? snapshot.services : undefined,
    udpEchoPorts: options.udpEchoPorts,
  })
  if (plan.jobs.length === 0) throw new InputError('nothing to probe: no running pod in scope declares a port (pass --port, -n/-A, or check --from/--to)')
  const run = await runProbes(client!, evaluator, plan.jobs, options)
  const { runId, leftovers, checks } = run
  const ordered = orderForReport(checks)
  const differences = options.target === 'both' ? compareTargets(checks) : []
  return {
    runId,
    mode: options.mode,
    target: run.target,
    image: options.image,
    results: ordered.map((c) => checkResult(c, evaluator)),
    ...(options.target === 'both' ? { targetDifferences: differences } : {}),
    summary: { ...summarize(checks), durationMs: Date.now() - started },
    diagnoses: [...differences.map(differenceLine), ...diagnose(checks)],
    skipped: plan.skipped,
    warnings: lint(evaluator, lintScopeOf(snapshot)),
    notes: [...snapshot.notes, ...uncheckedNote(ports, request.protocol), ...run.notes, ...(leftovers ? [leftovers] : [])],
    ...(expectations ? { expectations: judgeExpectations(expectationFile!, expectations, measuredChecks(checks)) } : {}),
  }
}
