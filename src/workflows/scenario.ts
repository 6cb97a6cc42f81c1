// scenario validate / scenario run: files → scenarios → evaluator (and, for run, the live cluster).
import { randomBytes } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { isDrillFile, parseDrill } from '../drill/schema.js'
import { validateDrill } from '../drill/validate.js'
import type { KubeClient } from '../kube/client.js'
import type { ClusterSnapshot } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { compareStep, summarizeChecks, type MeasuredConnection, type StepCheck, type StepSummary } from '../scenario/compare.js'
import { DNS_ID, type Scenario, type Step, type World } from '../scenario/model.js'
import { parseScenario } from '../scenario/schema.js'
import { expectedConnections, stepStates, type StepState } from '../scenario/state.js'
import { validateScenario, type ScenarioValidation } from '../scenario/validate.js'
import { liveNames, liveSnapshot, type LiveNames, type LivePod } from '../scenario/world.js'
import { clusterDnsPods, createWorld, removeNamespaces } from '../world/build.js'
import { applyStep } from '../world/steps.js'
import { probe, type ProbeReport, type ProbeRunEvent } from './probe.js'

export interface ValidateReport {
  scenarios: ScenarioValidation[]
  summary: { scenarios: number; expectations: number; contradictions: number }
}

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
  const files = (await Promise.all(paths.map(scenarioFilesAt))).flat()
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })))
}

async function scenarioFilesAt(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => { throw new InputError('no such file or directory', { file: path }) })
  if (!info.isDirectory()) return [path]
  const entries = (await readdir(path)).filter((name) => ['.yaml', '.yml'].includes(extname(name))).sort()
  if (entries.length === 0) throw new InputError('directory contains no .yaml or .yml scenario', { file: path })
  return entries.map((name) => join(path, name))
}

export interface RunOptions {
  client: KubeClient
  image: string
  /** Leave the world in the cluster for inspection. */
  keep: boolean
  checkTimeout: number
  startTimeout: number
  settle: number
  parallelism: number
  onEvent?: (event: ScenarioRunEvent) => void
  onCleanup?: (cleanup: () => Promise<void>) => void
}

export type ScenarioRunEvent = ProbeRunEvent | { kind: 'phase'; text: string }

export interface StepRun {
  name: string
  /** Why the step was not probed (offlineOnly). */
  skipped?: string
  checks: StepCheck[]
  summary: StepSummary
  diagnoses: string[]
}

export interface ScenarioRun {
  file: string
  name: string
  runId: string
  namespaces: string[]
  kept: boolean
  steps: StepRun[]
  durationMs: number
}

export interface RunReport {
  scenarios: ScenarioRun[]
  summary: StepSummary & { scenarios: number; durationMs: number }
}

/** Parses every file first (a malformed one stops the run before anything is created), then runs the scenarios one by one. */
export async function runScenarios(paths: string[], options: RunOptions): Promise<RunReport> {
  const started = Date.now()
  const scenarios = await loadScenarios(paths)
  const { client } = options
  const runs: ScenarioRun[] = []
  for (const scenario of scenarios) runs.push(await runScenario(client, scenario, options))
  const all = runs.flatMap((r) => r.steps.flatMap((s) => s.checks))
  return { scenarios: runs, summary: { ...summarizeChecks(all), scenarios: runs.length, durationMs: Date.now() - started } }
}

async function runScenario(client: KubeClient, scenario: Scenario, options: RunOptions): Promise<ScenarioRun> {
  const started = Date.now()
  const names = liveNames(randomBytes(3).toString('hex'))
  const phase = (text: string) => options.onEvent?.({ kind: 'phase', text: `${scenario.name}: ${text}` })
  const namespaces = scenario.world.namespaces.map((ns) => names.namespace(ns.name))
  const teardown = async () => {
    if (options.keep) return
    await removeNamespaces(client, namespaces)
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

interface LiveWorld {
  names: LiveNames
  podIps: Map<string, string[]>
  dnsPods: LivePod[]
}

async function probeStep(client: KubeClient, scenario: Scenario, step: Step, state: StepState, live: LiveWorld, options: RunOptions): Promise<StepRun> {
  const snapshot = liveSnapshot(scenario.world, state, live.names, live.podIps, live.dnsPods)
  const { report, measured } = await probeWorld(client, scenario.world, snapshot, live, options)
  const checks = compareStep(measured, expectedConnections(scenario, step, state), scenario.bestEffort)
  return { name: step.name, checks, summary: summarizeChecks(checks), diagnoses: report.diagnoses }
}

export type ProbeWorldOptions = Pick<RunOptions, 'client' | 'image' | 'checkTimeout' | 'startTimeout' | 'settle' | 'parallelism' | 'onEvent' | 'onCleanup'>

/**
 * Probes every connection from the world's pods to the pods of the snapshot (servers listen on
 * every declared port) and names the measured connections by the world's short names.
 */
export async function probeWorld(client: KubeClient, world: World, snapshot: ClusterSnapshot, live: Omit<LiveWorld, 'podIps'>, options: ProbeWorldOptions): Promise<{ report: ProbeReport; measured: MeasuredConnection[] }> {
  const namespaces = world.namespaces.map((ns) => live.names.namespace(ns.name))
  const report = await probe({
    source: { files: [], client, scope: { namespaces, allNamespaces: false } },
    live: { client, snapshot },
    from: namespaces.map((ns) => `${ns}/*`),
    to: [],
    ports: [],
    externals: [],
    service: false,
    allPods: true,
    mode: 'pod',
    image: options.image,
    checkTimeout: options.checkTimeout,
    startTimeout: options.startTimeout,
    settle: options.settle,
    parallelism: options.parallelism,
    udpEchoPorts: new Set(world.pods.flatMap((p) => p.ports.filter((port) => port.protocol === 'UDP').map((port) => String(port.port)))),
    serversListen: true,
    onEvent: options.onEvent,
    onCleanup: options.onCleanup,
  })
  const idOf = new Map<string, string>([
    ...world.pods.map((p) => [`${live.names.namespace(p.namespace)}/${p.name}`, p.id] as const),
    ...live.dnsPods.map((d) => [`${d.namespace}/${d.name}`, DNS_ID] as const),
  ])
  const measured = report.results.map((r): MeasuredConnection => ({
    from: idOf.get(r.from) ?? r.from,
    to: idOf.get(r.to) ?? r.to,
    port: Number(r.port),
    protocol: r.protocol,
    predicted: r.predicted === 'allowed' ? 'allow' : 'deny',
    observed: r.observed,
    ...(r.note ? { note: r.note } : {}),
  }))
  return { report, measured }
}
