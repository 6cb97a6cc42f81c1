// scenario validate / scenario run: files → scenarios → evaluator (and, for run, the live cluster).
import { randomBytes } from 'node:crypto'
import { basename, extname } from 'node:path'
import { isDrillFile, parseDrill } from '../drill/schema.js'
import { validateDrill } from '../drill/validate.js'
import type { KubeClient, KubeOptions, WirePod, WireObject } from '../kube/client.js'
import { DNS_LABELS, DNS_NAMESPACE, RUN_ID_LABEL, type NetworkPolicy } from '../model/cluster.js'
import { ClusterError, InputError } from '../model/errors.js'
import { compareStep, summarizeChecks } from '../scenario/compare.js'
import { probeWorld, type ProbeWorldOptions, type WorldNames } from '../scenario/probe-world.js'
import type { Scenario, Step, World } from '../scenario/model.js'
import { parseScenario } from '../scenario/schema.js'
import { expectedConnections, policyName, stepStates, type StepState } from '../scenario/state.js'
import { validateScenario } from '../scenario/validate.js'
import { filesAt, readText } from '../snapshot/files.js'
import {
  liveNames, liveSnapshot, namespaceManifest, policyManifest, serverPodManifest, type LiveNames, type LivePod,
} from '../scenario/world.js'
import type { RunReport, ScenarioRun, StepRun, ValidateReport } from '../scenario/report.js'

/** Validates scenarios, and drills (with their reference solution, and without it: then something must fail). */
export async function validateScenarios(paths: string[]): Promise<ValidateReport> {
  const scenarios = (await readScenarioFiles(paths)).map(({ file, text }) => isDrillFile(text, file)
    ? validateDrill(parseDrill(text, file, basename(file, extname(file))))
    : validateScenario(parseScenario(text, file)))
  return {
    scenarios,
    summary: {
      scenarios: scenarios.length,
      expectations: scenarios.reduce((n, s) => n + s.expectations, 0),
      contradictions: scenarios.reduce((n, s) => n + s.contradictions.length + (s.problems?.length ?? 0), 0),
    },
  }
}

/** Every scenario of the files and directories (*.yaml, *.yml), all parsed before anything else happens. */
export async function loadScenarios(paths: string[]): Promise<Scenario[]> {
  return (await readScenarioFiles(paths)).map(({ file, text }) => {
    if (isDrillFile(text, file)) throw new InputError(`is a drill: run it with \`kubectl netpol drill start ${basename(file, extname(file))}\``, { file })
    return parseScenario(text, file)
  })
}

async function readScenarioFiles(paths: string[]): Promise<Array<{ file: string; text: string }>> {
  if (paths.length === 0) throw new InputError('name at least one scenario file or directory')
  const search = { extensions: ['.yaml', '.yml'], recursive: false, none: 'directory contains no .yaml or .yml scenario' }
  const files = (await Promise.all(paths.map((path) => filesAt(path, search)))).flat()
  return Promise.all(files.map(async (file) => ({ file, text: await readText(file) })))
}

export type RunOptions = ProbeWorldOptions & {
  kube: KubeOptions
  /** Leave the world in the cluster for inspection. */
  keep: boolean
}

/** Parses every file first (a malformed one stops the run before anything is created), then runs the scenarios one by one. */
export async function runScenarios(paths: string[], options: RunOptions): Promise<RunReport> {
  const started = Date.now()
  const scenarios = await loadScenarios(paths)
  const { connect } = await import('../kube/client.js')
  const client = connect(options.kube)
  const runs: ScenarioRun[] = []
  for (const scenario of scenarios) runs.push(await runScenario(client, scenario, options))
  const all = runs.flatMap((r) => r.steps.flatMap((s) => s.checks))
  return { scenarios: runs, summary: { ...summarizeChecks(all), scenarios: runs.length, durationMs: Date.now() - started } }
}

const POLL_MS = 500
const DNS_SELECTOR = Object.entries(DNS_LABELS).map(([k, v]) => `${k}=${v}`).join(',')

async function runScenario(client: KubeClient, scenario: Scenario, options: RunOptions): Promise<ScenarioRun> {
  const started = Date.now()
  const names = liveNames(randomBytes(3).toString('hex'))
  const phase = (text: string) => options.onEvent?.({ kind: 'phase', text: `${scenario.name}: ${text}` })
  const namespaces = scenario.world.namespaces.map((ns) => names.namespace(ns.name))
  const teardown = async () => {
    if (options.keep) return
    await Promise.all(namespaces.map((name) => client.deleteObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })))
  }
  options.onCleanup?.(teardown)
  try {
    phase(`creating the world in ${namespaces.join(', ')}`)
    const podIps = await createWorld(client, scenario.world, names, options)
    const dnsPods = scenario.world.dns ? await clusterDnsPods(client) : []
    const states = stepStates(scenario)
    const steps: StepRun[] = []
    let previous: StepState = { namespaces: scenario.world.namespaces, pods: scenario.world.pods, policies: [] }
    for (const [i, step] of scenario.steps.entries()) {
      phase(`step ${i + 1}/${scenario.steps.length}: ${step.name}`)
      await applyStep(client, scenario.world, previous, states[i], names)
      previous = states[i]
      steps.push(step.offlineOnly
        ? { name: step.name, skipped: step.offlineOnly, checks: [], summary: summarizeChecks([]), diagnoses: [] }
        : await probeStep(client, scenario, step, states[i], { names, podIps, dnsPods }, { ...options, onCleanup: (probeCleanup) => options.onCleanup?.(async () => { await probeCleanup(); await teardown() }) }))
      options.onCleanup?.(teardown)
    }
    return { file: scenario.file, name: scenario.name, runId: names.runId, namespaces, kept: options.keep, steps, durationMs: Date.now() - started }
  } finally {
    phase(options.keep ? `keeping ${namespaces.join(', ')}` : 'tearing down')
    await teardown()
  }
}

/** Creates the namespaces and server pods and waits until every server is Ready; returns pod IPs by short name. */
export async function createWorld(client: KubeClient, world: World, names: LiveNames, options: Pick<RunOptions, 'image' | 'startTimeout'>): Promise<Map<string, string[]>> {
  for (const ns of world.namespaces) await client.createObject(namespaceManifest(ns.name, ns.labels, names) as WireObject)
  // Pods are refused until the namespace's default service account exists.
  await pollUntil(options.startTimeout, 'the default service accounts', async () => {
    const found = await Promise.all(world.namespaces.map((ns) => client.objectExists({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: names.namespace(ns.name) } })))
    return found.every(Boolean) || undefined
  })
  for (const pod of world.pods) await client.createObject(serverPodManifest(pod, names, options.image) as WireObject)
  const selector = `${RUN_ID_LABEL}=${names.runId}`
  let pending = world.pods.map((p) => p.id)
  return pollUntil(options.startTimeout, () => `server pods Ready (still waiting: ${pending.join(', ')})`, async () => {
    const pods = (await Promise.all(world.namespaces.map((ns) => client.listPods(names.namespace(ns.name), selector)))).flat()
    const ready = new Map(pods.filter(isReady).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, [p.status?.podIP ?? '']]))
    pending = world.pods.filter((p) => !ready.has(`${names.namespace(p.namespace)}/${p.name}`)).map((p) => p.id)
    return pending.length === 0 ? new Map(world.pods.map((p) => [p.id, ready.get(`${names.namespace(p.namespace)}/${p.name}`)!])) : undefined
  })
}

export function isReady(pod: WirePod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && Boolean(pod.status?.podIP)
}

export async function clusterDnsPods(client: KubeClient): Promise<LivePod[]> {
  const pods = (await client.listPods(DNS_NAMESPACE, DNS_SELECTOR)).filter(isReady)
  if (pods.length === 0) throw new ClusterError(`the scenario uses the cluster DNS, but no Ready pod in ${DNS_NAMESPACE} has ${DNS_SELECTOR}`)
  return pods.map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name, labels: p.metadata.labels ?? {}, ips: [p.status!.podIP!] }))
}

/** Brings the cluster from one step's state to the next: policies deleted, created or replaced, labels patched. */
async function applyStep(client: KubeClient, world: World, from: StepState, to: StepState, names: LiveNames): Promise<void> {
  const worldNamespaces = world.namespaces.map((n) => n.name)
  const manifest = (p: NetworkPolicy) => policyManifest(p, names, worldNamespaces) as WireObject
  const before = new Map(from.policies.map((p) => [policyName(p), p]))
  const after = new Map(to.policies.map((p) => [policyName(p), p]))
  for (const [name, policy] of before) if (!after.has(name)) await client.deleteObject(manifest(policy))
  for (const [name, policy] of after) {
    const old = before.get(name)
    if (!old) await client.createObject(manifest(policy))
    else if (JSON.stringify(old) !== JSON.stringify(policy)) await client.replaceObject(manifest(policy))
  }
  for (const [i, ns] of to.namespaces.entries()) {
    const change = labelChange(from.namespaces[i].labels, ns.labels)
    if (change) await client.patchLabels({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: names.namespace(ns.name) } }, change)
  }
  for (const [i, pod] of to.pods.entries()) {
    const change = labelChange(from.pods[i].labels, pod.labels)
    if (change) await client.patchLabels({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: names.namespace(pod.namespace) } }, change)
  }
}

function labelChange(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> | undefined {
  const change: Record<string, string | null> = {}
  for (const key of Object.keys(before)) if (!(key in after)) change[key] = null
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) change[key] = value
  return Object.keys(change).length > 0 ? change : undefined
}

interface LiveWorld extends WorldNames {
  podIps: Map<string, string[]>
}

async function probeStep(client: KubeClient, scenario: Scenario, step: Step, state: StepState, live: LiveWorld, options: RunOptions): Promise<StepRun> {
  const snapshot = liveSnapshot(scenario.world, state, live.names, live.podIps, live.dnsPods)
  const { diagnoses, measured } = await probeWorld(client, scenario.world, snapshot, live, options)
  const checks = compareStep(measured, expectedConnections(scenario, step, state), scenario.bestEffort)
  return { name: step.name, checks, summary: summarizeChecks(checks), diagnoses }
}

export async function pollUntil<T>(timeoutSeconds: number, what: string | (() => string), attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000
  for (;;) {
    const result = await attempt()
    if (result !== undefined) return result
    if (Date.now() > deadline) throw new ClusterError(`timed out after ${timeoutSeconds}s waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
