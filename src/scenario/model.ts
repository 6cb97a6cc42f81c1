// A scenario, once parsed and checked: a world of namespaces and server pods, then ordered steps
// that change policies and labels and state which connections must be allowed or denied.
import type { NetworkPolicy, Protocol } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import type { Expectation } from './expectation.js'

export interface WorldPort {
  port: number
  protocol: Protocol
  name?: string
}

export interface WorldNamespace {
  name: string
  labels: Record<string, string>
}

export interface WorldPod {
  /** The short name expectations use: `frontend` or `shop/frontend`. */
  id: string
  namespace: string
  /** The pod's name in the cluster. */
  name: string
  labels: Record<string, string>
  ports: WorldPort[]
}

export interface World {
  namespaces: WorldNamespace[]
  pods: WorldPod[]
  /** The cluster DNS (kube-system, k8s-app=kube-dns) takes part, as the destination `dns`. */
  dns: boolean
}

export interface LabelAction {
  target: { kind: 'namespace'; name: string } | { kind: 'pod'; id: string }
  set: Record<string, string>
  remove: string[]
}

export interface Step {
  name: string
  /** Policies removed, as namespace/name. */
  delete: string[]
  /** Policies that must exist and are replaced. */
  replace: NetworkPolicy[]
  /** Policies created, or replaced when they exist. */
  apply: NetworkPolicy[]
  label: LabelAction[]
  /** Explicit expectations; connections they do not cover are expected to behave as predicted. */
  expect: Array<Expectation & { path: string }>
  /** Why `scenario run` does not probe this step (its actions still apply). */
  offlineOnly?: string
}

export interface Scenario {
  file: string
  name: string
  description: string
  tags: string[]
  /** Protocols whose unmeasurable checks are reported but do not make a run inconclusive. */
  bestEffort: Protocol[]
  world: World
  steps: Step[]
}

/** The short name of the cluster DNS in expectations (when `world.dns` is true). */
export const DNS_ID = 'dns'

/** A problem in a scenario file, as one line: `FILE: FIELD.PATH: message`. */
export function scenarioError(file: string, path: string, message: string): InputError {
  return new InputError(path ? `${path}: ${message}` : message, { file })
}
