// A drill checked offline: with the reference solution every expectation must agree with the
// evaluator, and without it at least one must fail (a drill that needs no work is a bug). Pure.
import { validateScenario, type ScenarioValidation } from '../scenario/validate.js'
import { drillScenario, type Drill } from './model.js'

export const NEEDS_NO_WORK = 'every expectation already holds without a solution: the drill needs no work'

export function validateDrill(drill: Drill): ScenarioValidation {
  const solved = validateScenario(drillScenario(drill, true))
  const unsolved = validateScenario(drillScenario(drill, false))
  return { ...solved, name: `drill ${drill.name}`, problems: unsolved.contradictions.length === 0 ? [NEEDS_NO_WORK] : [] }
}
