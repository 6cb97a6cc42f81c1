// Drill files: the scenario format's world, policy manifests and expectations, plus the drill's own
// fields. Pure (the caller reads the file); every error is one located InputError line.
import { z } from 'zod'
import { scenarioError } from '../scenario/model.js'
import { checkShape, expectation, manifest, parseYaml, toExpectations, toPolicy, toWorld, world, type Fail } from '../scenario/schema.js'
import { expectedConnections, stepStates } from '../scenario/state.js'
import { DIFFICULTIES, drillScenario, type Drill } from './model.js'

/** Label values hold at most 63 characters, and the run id is `drill-<name>`. */
const DRILL_NAME = /^[a-z0-9]([-a-z0-9]{0,55}[a-z0-9])?$/
/** A drill's namespaces are created as named; these belong to the cluster. */
const RESERVED_NAMESPACE = /^(default|kube-.*)$/

const drill = z.strictObject({
  title: z.string().min(1),
  difficulty: z.enum(DIFFICULTIES, { error: `expected one of ${DIFFICULTIES.join(', ')}` }),
  tags: z.array(z.string()).optional(),
  task: z.string().min(1),
  world,
  setup: z.array(manifest).optional(),
  hints: z.array(z.string().min(1)).min(1, 'give at least one hint'),
  solution: z.array(manifest).min(1, 'give the reference solution as NetworkPolicy manifests'),
  expect: z.array(expectation).min(1, 'a drill needs graded expectations'),
})

export function parseDrill(text: string, file: string, name: string): Drill {
  const fail: Fail = (path, message) => { throw scenarioError(file, path, message) }
  if (!DRILL_NAME.test(name)) fail('', `drill name "${name}" (the file name) must be a DNS label of at most 57 characters`)
  const raw = checkShape(drill, parseYaml(text, file), file)
  const builtWorld = toWorld(raw.world, fail)
  for (const ns of builtWorld.namespaces) {
    if (RESERVED_NAMESPACE.test(ns.name)) fail(`world.namespaces.${ns.name}`, 'a drill creates and deletes its namespaces: pick a name that is not the cluster\'s')
  }
  const policies = (list: Array<Record<string, unknown>> | undefined, key: string) =>
    (list ?? []).map((m, i) => toPolicy(m, `${key}[${i}]`, builtWorld, fail))
  const parsed: Drill = {
    file,
    name,
    title: raw.title,
    difficulty: raw.difficulty,
    tags: raw.tags ?? [],
    task: raw.task.trimEnd(),
    world: builtWorld,
    setup: policies(raw.setup, 'setup'),
    hints: raw.hints,
    solution: policies(raw.solution, 'solution'),
    expect: toExpectations(raw.expect, 'expect', fail),
  }
  // Expanding the expectations checks the pods and ports they name.
  const scenario = drillScenario(parsed, true)
  expectedConnections(scenario, scenario.steps[0], stepStates(scenario)[0])
  return parsed
}


/** A drill file has a reference solution; a scenario has none. */
export function isDrillFile(text: string, file: string): boolean {
  const value = parseYaml(text, file)
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'solution' in value
}
