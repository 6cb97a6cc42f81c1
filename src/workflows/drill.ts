// drill list / start / check / hint / solution / reset: drill files → the live cluster and back.
// A drill's namespaces are created under the names its task uses, labelled with the run id
// `drill-<name>`, and stay until `drill reset` (the learner works in them meanwhile).
import { createEvaluator, type Evaluator } from '../evaluate/evaluate.js'
import { explain, type Explanation } from '../evaluate/explain.js'
import { compileSelector } from '../evaluate/selector.js'
import { gradeDrill, type ConnectionGrade } from '../drill/grade.js'
import type { CheckReport, DrillSummary, HintReport, ResetReport, SolutionReport, StartReport } from '../drill/report.js'
import { DIFFICULTIES, drillRunId, drillScenario, nextHint, type Drill } from '../drill/model.js'
import { loadAllDrills, loadDrill } from '../drill/catalogue.js'
import { hintsShown, saveHintsShown } from '../drill/hints.js'
import type { KubeClient, KubeOptions, WireObject } from '../kube/client.js'
import { DNS_LABELS, DNS_NAMESPACE, RUN_ID_LABEL, type ClusterSnapshot } from '../model/cluster.js'
import { ClusterError } from '../model/errors.js'
import { DNS_ID } from '../scenario/model.js'
import { expectedConnections, stepStates } from '../scenario/state.js'
import { policyManifest, type LiveNames, type LivePod } from '../scenario/world.js'
import type { WorkflowEvent } from '../probe/events.js'
import { probeWorld, type ProbeWorldOptions } from '../scenario/probe-world.js'
import { clusterDnsPods, createWorld, isReady, pollUntil } from './scenario.js'

export async function listDrills(): Promise<{ drills: DrillSummary[] }> {
  const order = (d: Drill) => DIFFICULTIES.indexOf(d.difficulty)
  const drills = (await loadAllDrills()).sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name))
  return { drills: drills.map(({ name, title, difficulty, tags }) => ({ name, title, difficulty, tags })) }
}

/** A drill's live names: namespaces keep the names the task uses. */
function drillNames(drill: Drill): LiveNames {
  return { runId: drillRunId(drill.name), namespace: (name) => name }
}

const namespaceRef = (name: string): WireObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })

export interface DrillClusterOptions {
  kube: KubeOptions
  /** Seconds to wait for pods to become Ready or namespaces to go. */
  startTimeout: number
  onEvent?: (event: WorkflowEvent) => void
  onCleanup?: (cleanup: () => Promise<void>) => void
}

export async function startDrill(drill: Drill, options: DrillClusterOptions & { image: string; force: boolean }): Promise<StartReport> {
  const { name } = drill
  const client = await connectTo(options.kube)
  const names = drillNames(drill)
  const namespaces = drill.world.namespaces.map((ns) => ns.name)
  const phase = (text: string) => options.onEvent?.({ kind: 'phase', text })
  const existing = await ownedNamespaces(client, drill)
  if (existing.length > 0 && !options.force) {
    throw new ClusterError(`drill ${name} is already started (${existing.join(', ')} exist): check it with \`kubectl netpol drill check ${name}\`, or start over with --force`)
  }
  if (existing.length > 0) {
    phase(`deleting the previous ${existing.join(', ')}`)
    await deleteNamespaces(client, existing, options.startTimeout)
  }
  const teardown = () => deleteNamespaces(client, namespaces, options.startTimeout)
  options.onCleanup?.(teardown)
  try {
    phase(`creating ${namespaces.join(', ')} and ${drill.world.pods.length} pods`)
    await createWorld(client, drill.world, names, options)
    for (const policy of drill.setup) await client.createObject(policyManifest(policy, names, namespaces) as WireObject)
  } catch (error) {
    phase('removing what was created')
    await teardown().catch(() => {})
    throw error
  }
  // The world is ready and stays: a Ctrl-C from now on must not delete it.
  options.onCleanup?.(async () => {})
  await saveHintsShown(name, 0)
  return { drill: name, title: drill.title, difficulty: drill.difficulty, task: drill.task, namespaces, policies: drill.setup.map((p) => `${p.namespace}/${p.name}`) }
}

/**
 * The drill's namespaces that this drill created; a namespace of the same name that it did not
 * create is never touched: starting refuses, and so does any other command.
 */
async function ownedNamespaces(client: KubeClient, drill: Drill): Promise<string[]> {
  const found = await Promise.all(drill.world.namespaces.map(async (ns) => ({ name: ns.name, metadata: await client.readMetadata(namespaceRef(ns.name)) })))
  const foreign = found.filter((f) => f.metadata && f.metadata.labels[RUN_ID_LABEL] !== drillRunId(drill.name))
  if (foreign.length > 0) {
    throw new ClusterError(`namespace ${foreign.map((f) => f.name).join(', ')} exists and does not belong to drill ${drill.name} (label ${RUN_ID_LABEL}=${drillRunId(drill.name)}): the drill needs ${foreign.length === 1 ? 'it' : 'them'}, so it leaves ${foreign.length === 1 ? 'it' : 'them'} alone and stops`)
  }
  return found.filter((f) => f.metadata).map((f) => f.name)
}

async function deleteNamespaces(client: KubeClient, namespaces: string[], timeoutSeconds: number): Promise<void> {
  await Promise.all(namespaces.map((name) => client.deleteObject(namespaceRef(name))))
  let remaining = namespaces
  await pollUntil(timeoutSeconds, () => `namespaces to be deleted (still there: ${remaining.join(', ')})`, async () => {
    const gone = await Promise.all(remaining.map(async (name) => (await client.readMetadata(namespaceRef(name))) === undefined))
    remaining = remaining.filter((_, i) => !gone[i])
    return remaining.length === 0 || undefined
  })
}

export type DrillCheckOptions = DrillClusterOptions & Omit<ProbeWorldOptions, 'onEvent' | 'onCleanup'>

export async function checkDrill(drill: Drill, options: DrillCheckOptions): Promise<CheckReport> {
  const started = Date.now()
  const client = await connectTo(options.kube)
  const names = drillNames(drill)
  const namespaces = drill.world.namespaces.map((ns) => ns.name)
  await requireStarted(client, drill)
  const dnsPods = drill.world.dns ? await clusterDnsPods(client) : []
  options.onEvent?.({ kind: 'phase', text: `reading ${namespaces.join(', ')}` })
  const snapshot = await drillSnapshot(client, drill)
  const { diagnoses, measured } = await probeWorld(client, drill.world, snapshot, { names, dnsPods }, options)
  const scenario = drillScenario(drill, true)
  const expected = expectedConnections(scenario, scenario.steps[0], stepStates(scenario)[0])
  const grade = gradeDrill(drill.expect.map((e) => e.text), expected, measured, explainer(drill, createEvaluator(snapshot), dnsPods))
  return { drill: drill.name, title: drill.title, namespaces, checks: grade.checks, summary: grade.summary, diagnoses, durationMs: Date.now() - started }
}

/** The drill's world must be there and Ready; otherwise there is nothing to grade (exit 2). */
async function requireStarted(client: KubeClient, drill: Drill): Promise<void> {
  const notStarted = `drill ${drill.name} is not started: run \`kubectl netpol drill start ${drill.name}\``
  const existing = await ownedNamespaces(client, drill)
  if (existing.length < drill.world.namespaces.length) throw new ClusterError(notStarted)
  const pods = (await Promise.all(existing.map((ns) => client.listPods(ns, `${RUN_ID_LABEL}=${drillRunId(drill.name)}`)))).flat()
  const ready = new Set(pods.filter(isReady).map((p) => `${p.metadata.namespace}/${p.metadata.name}`))
  const missing = drill.world.pods.filter((p) => !ready.has(`${p.namespace}/${p.name}`)).map((p) => `${p.namespace}/${p.name}`)
  if (missing.length > 0) throw new ClusterError(`drill ${drill.name}: pods ${missing.join(', ')} are missing or not Ready; start over with \`kubectl netpol drill start ${drill.name} --force\``)
}

/** What the learner built in the drill's namespaces, plus the cluster DNS pods when the drill uses them. */
async function drillSnapshot(client: KubeClient, drill: Drill): Promise<ClusterSnapshot> {
  const { loadSnapshotFromCluster } = await import('../snapshot/live.js')
  const namespaces = drill.world.namespaces.map((ns) => ns.name)
  const snapshot = await loadSnapshotFromCluster(client, { namespaces: drill.world.dns ? [...namespaces, DNS_NAMESPACE] : namespaces, allNamespaces: false })
  const dns = compileSelector({ matchLabels: { ...DNS_LABELS } })
  return { ...snapshot, pods: snapshot.pods.filter((p) => namespaces.includes(p.namespace) || (p.namespace === DNS_NAMESPACE && dns.matches(p.labels))) }
}

/** The evaluator's reasoning for a missed connection, on the learner's policies. */
function explainer(drill: Drill, evaluator: Evaluator, dnsPods: LivePod[]): (c: ConnectionGrade) => Explanation | undefined {
  const keyOf = new Map(drill.world.pods.map((p) => [p.id, `${p.namespace}/${p.name}`]))
  if (dnsPods.length > 0) keyOf.set(DNS_ID, `${dnsPods[0].namespace}/${dnsPods[0].name}`)
  return (c) => {
    const from = evaluator.endpoint(keyOf.get(c.from) ?? '')
    const to = evaluator.endpoint(keyOf.get(c.to) ?? '')
    if (!from || !to) return undefined
    return explain(evaluator.evaluate({ from, to, port: c.port, protocol: c.protocol }, { loopback: 'policy' }), evaluator)
  }
}

export async function resetDrill(drill: Drill, options: DrillClusterOptions): Promise<ResetReport> {
  const client = await connectTo(options.kube)
  const existing = await ownedNamespaces(client, drill)
  options.onEvent?.({ kind: 'phase', text: `deleting ${existing.join(', ') || 'nothing'}` })
  if (existing.length > 0) await deleteNamespaces(client, existing, options.startTimeout)
  await saveHintsShown(drill.name, 0)
  return { drill: drill.name, deleted: existing }
}

/** The next hint (or every hint); which hints were given is kept per drill in the user's state directory. */
export async function drillHint(name: string, all: boolean): Promise<HintReport> {
  const drill = await loadDrill(name)
  const total = drill.hints.length
  if (all) {
    await saveHintsShown(name, total)
    return { drill: name, hints: drill.hints.map((text, i) => ({ number: i + 1, text })), total, remaining: 0 }
  }
  const hint = nextHint(drill, await hintsShown(name))
  if (!hint) return { drill: name, hints: [], total, remaining: 0 }
  await saveHintsShown(name, hint.number)
  return { drill: name, hints: [{ number: hint.number, text: hint.text }], total, remaining: hint.remaining }
}

export async function drillSolution(name: string): Promise<SolutionReport> {
  const drill = await loadDrill(name)
  const manifests = drill.solution.map((p) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: p.name, namespace: p.namespace }, spec: p.spec }))
  return { drill: name, manifests }
}

async function connectTo(kube: KubeOptions): Promise<KubeClient> {
  const { connect } = await import('../kube/client.js')
  return connect(kube)
}
