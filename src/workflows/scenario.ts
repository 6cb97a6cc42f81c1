// scenario validate / scenario run: files → scenarios → evaluator (and, for run, the live cluster).
import { randomBytes } from 'node:crypto'
import { basename, extname } from 'node:path'
import { isDrillFile, parseDrill } from '../drill/schema.js'
import { validateDrill } from '../drill/validate.js'
import type { KubeClient } from '../kube/client.js'
import { InputError } from '../model/errors.js'
import { compareStep, summarizeChecks } from '../scenario/compare.js'
import { probeWorld, type ProbeWorldOptions, type WorldNames } from '../scenario/probe-world.js'
import type { Scenario, Step } from '../scenario/model.js'
import { parseScenario } from '../scenario/schema.js'
import { expectedConnections, stepStates, type StepState } from '../scenario/state.js'
import { validateScenario } from '../scenario/validate.js'
import { filesAt, readText } from '../snapshot/files.js'
import { liveNames, liveSnapshot } from '../scenario/world.js'
import type { RunReport, ScenarioRun, StepRun, ValidateReport } from '../scenario/report.js'
import { clusterDnsPods, createWorld, removeNamespaces } from '../world/build.js'
import { applyStep } from '../world/steps.js'

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
  client: KubeClient
  /** Leave the world in the cluster for inspection. */
  keep: boolean
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

interface LiveWorld extends WorldNames {
  podIps: Map<string, string[]>
}

async function probeStep(client: KubeClient, scenario: Scenario, step: Step, state: StepState, live: LiveWorld, options: RunOptions): Promise<StepRun> {
  const snapshot = liveSnapshot(scenario.world, state, live.names, live.podIps, live.dnsPods)
  const { diagnoses, measured } = await probeWorld(client, scenario.world, snapshot, live, options)
  const checks = compareStep(measured, expectedConnections(scenario, step, state), scenario.bestEffort)
  return { name: step.name, checks, summary: summarizeChecks(checks), diagnoses }
}
