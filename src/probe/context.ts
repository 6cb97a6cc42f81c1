// What the parts of one probe engine share, and the engine's public option and event types.
import type { ExecTarget, KubeClient } from '../kube/client.js'
import type { ProbeMode } from '../model/probe.js'
import type { RunIdentity } from './spec.js'

export type ProbeEvent =
  | { kind: 'starting'; sources: number; mode: ProbeMode }
  | { kind: 'source-ready'; source: string; ready: number; total: number }
  | { kind: 'source-failed'; source: string; reason: string }
  | { kind: 'round'; round: number; checks: number; sources: number }
  | { kind: 'source-probed'; source: string; checks: number }
  | { kind: 'cleaned'; namespaces: number }

export interface ProbeEngineOptions {
  run: RunIdentity
  mode: ProbeMode
  /** Seconds one connection attempt may take. */
  checkTimeout: number
  /** Checks one container runs at the same time. */
  parallelism: number
  /** Seconds a probe container may take to start before its source counts as failed. */
  startTimeout: number
  onEvent?: (event: ProbeEvent) => void
}

/** Where a source's checks run, or why they cannot. */
export type Runner = ExecTarget | { failed: string }

/** What the parts of one engine share: the client, the options, and each source's probe container. */
export interface EngineContext {
  client: KubeClient
  options: ProbeEngineOptions
  runners: Map<string, Runner>
  /** Namespaces where this run created objects (pod mode), for cleanup. */
  touchedNamespaces: Set<string>
  emit(event: ProbeEvent): void
}

export const EXEC_CONCURRENCY = 16

