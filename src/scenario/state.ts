// What the world looks like after each step: policies and labels, replayed in order. Pure.
// Within a step, actions run in a fixed order: delete, replace, apply, label.
import type { NetworkPolicy } from '../model/cluster.js'
import { connectionKey, expandExpectation, ExpectationSyntaxError, type Candidate, type ConnectionKey } from './expectation.js'
import { DNS_LABELS, DNS_NAMESPACE } from '../model/cluster.js'
import { DNS_ID, scenarioError, type LabelAction, type Scenario, type Step, type World, type WorldNamespace, type WorldPod } from './model.js'

export interface StepState {
  namespaces: WorldNamespace[]
  pods: WorldPod[]
  policies: NetworkPolicy[]
}

/** The state after each step; throws a located InputError for a delete or replace of a policy that does not exist. */
export function stepStates(scenario: Scenario): StepState[] {
  let state: StepState = { namespaces: scenario.world.namespaces, pods: scenario.world.pods, policies: [] }
  return scenario.steps.map((step, s) => {
    const policies = new Map(state.policies.map((p) => [policyName(p), p]))
    step.delete.forEach((name, i) => {
      if (!policies.delete(name)) throw missingPolicy(scenario.file, `steps[${s}].delete[${i}]`, name, policies)
    })
    step.replace.forEach((policy, i) => {
      if (!policies.has(policyName(policy))) throw missingPolicy(scenario.file, `steps[${s}].replace[${i}]`, policyName(policy), policies, ' (use apply to create it)')
      policies.set(policyName(policy), policy)
    })
    for (const policy of step.apply) policies.set(policyName(policy), policy)
    state = {
      namespaces: state.namespaces.map((ns) => ({ ...ns, labels: relabel(ns.labels, step.label.filter((l) => l.target.kind === 'namespace' && l.target.name === ns.name)) })),
      pods: state.pods.map((pod) => ({ ...pod, labels: relabel(pod.labels, step.label.filter((l) => l.target.kind === 'pod' && l.target.id === pod.id)) })),
      policies: [...policies.values()],
    }
    return state
  })
}

export function policyName(policy: { namespace: string; name: string }): string {
  return `${policy.namespace}/${policy.name}`
}

function missingPolicy(file: string, path: string, name: string, existing: Map<string, NetworkPolicy>, hint = ''): Error {
  return scenarioError(file, path, `no policy "${name}" exists at this step${hint} (existing: ${[...existing.keys()].join(', ') || 'none'})`)
}

function relabel(labels: Record<string, string>, actions: LabelAction[]): Record<string, string> {
  const result = { ...labels }
  for (const action of actions) {
    for (const key of action.remove) delete result[key]
    Object.assign(result, action.set)
  }
  return result
}

/** The pods expectations can name: every world pod as a source, plus the cluster DNS as a destination. */
export function candidates(world: World, pods: WorldPod[]): { sources: Candidate[]; destinations: Candidate[] } {
  const sources = pods.map((p): Candidate => ({ id: p.id, namespace: p.namespace, name: p.name, labels: p.labels, ports: p.ports }))
  return { sources, destinations: world.dns ? [...sources, DNS_CANDIDATE] : sources }
}

export const DNS_CANDIDATE: Candidate = {
  id: DNS_ID,
  namespace: DNS_NAMESPACE,
  name: 'coredns',
  labels: DNS_LABELS,
  ports: [{ port: 53, protocol: 'UDP', name: 'dns' }, { port: 53, protocol: 'TCP', name: 'dns-tcp' }],
}

export interface ExpectedConnection extends ConnectionKey {
  allowed: boolean
  /** The expectation line that decided it (the last one naming the connection). */
  text: string
}

/** Every connection a step's expectations name, keyed by connectionKey; a later line overrides an earlier one. */
export function expectedConnections(scenario: Scenario, step: Step, state: StepState): Map<string, ExpectedConnection> {
  const { sources, destinations } = candidates(scenario.world, state.pods)
  const expected = new Map<string, ExpectedConnection>()
  for (const expectation of step.expect) {
    let connections: ConnectionKey[]
    try {
      connections = expandExpectation(expectation, sources, destinations)
    } catch (error) {
      if (error instanceof ExpectationSyntaxError) throw scenarioError(scenario.file, expectation.path, error.message)
      throw error
    }
    for (const c of connections) expected.set(connectionKey(c), { ...c, allowed: expectation.allowed, text: expectation.text })
  }
  return expected
}
