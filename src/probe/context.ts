// What the parts of one probe engine share, and the engine's public option and event types.
import type { ExecTarget, KubeClient, ObjectRef, WireObject } from '../kube/client.js'
import type { LimiterState } from './limiter.js'
import type { NeighbourTrouble } from './neighbours.js'
import type { OwnerRef, RunIdentity } from './spec.js'

export type ProbeMode = 'pod' | 'ephemeral'

export type ProbeEvent =
  | { kind: 'starting'; sources: number; checks: number; mode: ProbeMode; window: number; rounds: number }
  | { kind: 'source-ready'; source: string; ready: number; total: number }
  | { kind: 'source-failed'; source: string; reason: string }
  | { kind: 'source-probed'; source: string; checks: number }
  | { kind: 'rechecking'; source: string; checks: number }
  | { kind: 'source-done'; source: string }
  | { kind: 'cleaned'; namespaces: number }

export interface ProbeEngineOptions {
  run: RunIdentity
  mode: ProbeMode
  /** Seconds one connection attempt may take. */
  checkTimeout: number
  /** Checks one container runs at the same time, at most (the adaptive limiter may give it fewer). */
  parallelism: number
  /** Seconds a probe container may take to start before its source counts as failed. */
  startTimeout: number
  /** Seconds to keep re-checking a source's disagreements and unconfirmed timeouts. */
  settle: number
  /** Probe pods (or, in ephemeral mode, probed pods) at once; default from the nodes' free pod slots. */
  maxProbePods?: number
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
  /** Controller of the run's probe pods, per namespace (pod mode). */
  owners: Map<string, OwnerRef>
  /** The run's creates in flight; once cleanup has begun (`stopped`), no new one starts. */
  creates: { stopped: boolean; inFlight: Set<Promise<unknown>> }
  /** The adaptive bound on checks in flight across the run, shared by the window's containers. */
  limiter: LimiterState & { sharers: number }
  /** Execs of the run whose pod saw the node's neighbour table full or evicting (./neighbours.ts). */
  neighbourTroubles: NeighbourTrouble[]
  emit(event: ProbeEvent): void
}

export const EXEC_CONCURRENCY = 16

/**
 * Creates one of the run's objects, unless cleanup has begun (Ctrl-C during the start): cleanup
 * waits for the creates in flight, so nothing is created after the run's objects were deleted.
 */
export function createRunObject(context: EngineContext, manifest: WireObject): Promise<ObjectRef> {
  if (context.creates.stopped) return Promise.reject(new Error('the run is being cleaned up'))
  const request = context.client.createObject(manifest)
  const { inFlight } = context.creates
  inFlight.add(request)
  request.then(() => inFlight.delete(request), () => inFlight.delete(request))
  return request
}

/** The source's checks cannot run (its container did not start, or its pod is gone): said once, to progress too. */
export function failSource(context: EngineContext, source: string, reason: string): void {
  context.runners.set(source, { failed: reason })
  context.emit({ kind: 'source-failed', source, reason })
}
