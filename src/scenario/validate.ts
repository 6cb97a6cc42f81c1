// `scenario validate`: does each step's expectation agree with the evaluator? Pure.
// Connections are judged like probes measure them: a pod "to itself" is judged by policy (a probe
// pod with the pod's identity is a different pod), see EvaluateOptions.loopback.
import { createEvaluator, type Evaluator, type Verdict } from '../evaluate/evaluate.js'
import { allowance, type Allowance } from '../model/probe.js'
import { ruleLabel } from '../evaluate/explain.js'
import type { ConnectionKey, ExpectedOf } from './expectation.js'
import { DNS_NAMESPACE } from '../model/cluster.js'
import { DNS_ID, type Scenario, type World } from './model.js'
import { DNS_CANDIDATE, expectedConnections, stepStates } from './state.js'
import { offlineSnapshot } from './world.js'

export interface Contradiction extends ExpectedOf {
  step: string
  predicted: Allowance
  /** The evaluator's reason, in one line. */
  why: string
}

export interface ScenarioValidation {
  file: string
  name: string
  steps: number
  /** Connections named by expectations, over all steps. */
  expectations: number
  contradictions: Contradiction[]
  /** Problems of the file as a whole (a drill that needs no work). */
  problems?: string[]
}

export function validateScenario(scenario: Scenario): ScenarioValidation {
  const states = stepStates(scenario)
  let expectations = 0
  const contradictions = scenario.steps.flatMap((step, i) => {
    const expected = expectedConnections(scenario, step, states[i])
    expectations += expected.size
    const predict = stepPredictor(scenario.world, createEvaluator(offlineSnapshot(scenario.world, states[i])))
    return [...expected.values()].flatMap((e): Contradiction[] => {
      const verdict = predict(e)
      if (verdict.allowed === e.allowed) return []
      return [{ step: step.name, expectation: e.text, from: e.from, to: e.to, port: e.port, protocol: e.protocol, expected: allowance(e.allowed), predicted: allowance(verdict.allowed), why: reason(verdict) }]
    })
  })
  return { file: scenario.file, name: scenario.name, steps: scenario.steps.length, expectations, contradictions }
}

/** The evaluator's verdict for a connection between scenario short names. */
export function stepPredictor(world: World, evaluator: Evaluator): (c: ConnectionKey) => Verdict {
  const keyOf = new Map(world.pods.map((p) => [p.id, `${p.namespace}/${p.name}`]))
  keyOf.set(DNS_ID, `${DNS_NAMESPACE}/${DNS_CANDIDATE.name}`)
  return (c) => evaluator.evaluate({
    from: evaluator.endpoint(keyOf.get(c.from)!)!,
    to: evaluator.endpoint(keyOf.get(c.to)!)!,
    port: c.port,
    protocol: c.protocol,
  }, { loopback: 'policy' })
}

/** Why the evaluator decided as it did, in one line. */
export function reason(verdict: Verdict): string {
  if (verdict.allowed) {
    const rules = [...verdict.egress.allowedBy, ...verdict.ingress.allowedBy].map(ruleLabel)
    return rules.length > 0 ? `allowed by ${rules.join(', ')}` : 'no policy isolates either side'
  }
  const side = verdict.egress.allowed ? verdict.ingress : verdict.egress
  const policies = side.policies.map((p) => `${p.policy.namespace}/${p.policy.name}`).join(', ')
  return `${side.direction} of ${side.endpoint} is isolated by ${policies} and no rule allows this connection`
}
