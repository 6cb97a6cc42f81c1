// A drill: an exam-style NetworkPolicy exercise. A small world (the scenario format's), policies
// that exist from the start, the task as an exam words it, ordered hints, the reference solution,
// and the graded expectations: required connections must work, forbidden ones must be blocked.
import type { NetworkPolicy } from '../model/cluster.js'
import type { Scenario, Step, World } from '../scenario/model.js'

export const DIFFICULTIES = ['easy', 'medium', 'hard', 'exam'] as const
export type Difficulty = (typeof DIFFICULTIES)[number]

export interface Drill {
  file: string
  /** What the learner types: the file name without .yaml. */
  name: string
  title: string
  difficulty: Difficulty
  tags: string[]
  task: string
  world: World
  /** Policies created with the world (a drill may ask to fix or extend them). */
  setup: NetworkPolicy[]
  hints: string[]
  /** The reference answer, applied on top of the setup (a policy with a setup policy's name replaces it). */
  solution: NetworkPolicy[]
  expect: Step['expect']
}

/** The value of the run-id label on everything `drill start` creates. */
export function drillRunId(name: string): string {
  return `drill-${name}`
}

/**
 * The drill as a one-step scenario: the setup policies, with or without the reference solution on
 * top, judged by the drill's expectations. This is how the evaluator checks a drill offline.
 */
export function drillScenario(drill: Drill, solved: boolean): Scenario {
  const apply = solved ? [...drill.setup, ...drill.solution] : drill.setup
  return {
    file: drill.file,
    name: drill.title,
    description: drill.task,
    tags: drill.tags,
    bestEffort: [],
    world: drill.world,
    steps: [{ name: solved ? 'with the reference solution' : 'without a solution', delete: [], replace: [], apply, label: [], expect: drill.expect }],
  }
}

/** The hint after `shown` hints were given, or undefined when none is left. */
export function nextHint(drill: Drill, shown: number): { number: number; text: string; remaining: number } | undefined {
  if (shown >= drill.hints.length) return undefined
  return { number: shown + 1, text: drill.hints[shown], remaining: drill.hints.length - shown - 1 }
}
