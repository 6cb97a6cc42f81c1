// Starting the probe containers of a run and waiting until each runs or has failed.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { ContainerStatus, WireObject, WirePod } from '../kube/client.js'
import { poll } from '../kube/poll.js'
import { RUN_ID_LABEL } from '../model/cluster.js'
import { createPods, inBatches } from './batches.js'
import { createRunObject, EXEC_CONCURRENCY, failSource, type EngineContext } from './context.js'
import {
  ephemeralContainerName, PROBE_CONTAINER, probeEphemeralContainer, probePod, runConfigMap, runScaleOwner,
} from './spec.js'

/** Seconds to wait for a deleted probe pod to be gone before its slot is reused anyway. */
const RELEASE_TIMEOUT_S = 60
const IMAGE_FAILURES = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']
const START_FAILURES = [...IMAGE_FAILURES, 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']

/**
 * Pod mode, before any pod: per namespace, the run object (a ConfigMap; deleting it deletes the
 * rest) and the controller of the run's probe pods and stand-ins, a scale owner it owns (see ./spec.ts).
 */
export async function createOwners(context: EngineContext, namespaces: string[]): Promise<void> {
  const { options } = context
  for (const namespace of namespaces.filter((n) => !context.owners.has(n))) {
    context.touchedNamespaces.add(namespace)
    const runObject = await createRunObject(context, runConfigMap(namespace, options.run) as WireObject)
    const owner = await createRunObject(context, runScaleOwner(namespace, options.run, { apiVersion: 'v1', kind: 'ConfigMap', name: runObject.name, uid: runObject.uid }) as WireObject)
    context.owners.set(namespace, { apiVersion: 'apps/v1', kind: 'Deployment', name: owner.name, uid: owner.uid })
  }
}

/** Pod mode: one probe pod per source of the batch, owned by its namespace's scale owner. One promise per source (see `eachStarted`). */
export function startProbePods(context: EngineContext, sources: PodEndpoint[]): Array<Promise<void>> {
  const { options } = context
  return eachStarted(sources, async (started) => {
    const created = await createPods(context, sources, (source) => probePod(source, options.run, context.owners.get(source.pod.namespace)!), (source, error) => {
      failSource(context, source.key, `could not create the probe pod: ${error.message}`)
      started(source.key)
    })
    await waitForContainers(context, created, PROBE_CONTAINER, (pod) => pod.status?.containerStatuses, started)
  })
}

/** Pod mode: deletes the source's probe pod and waits (bounded) until it is gone, so its place on the node is free. */
export async function releaseProbePod(context: EngineContext, source: string): Promise<void> {
  const runner = context.runners.get(source)
  if (!runner || 'failed' in runner) return
  const ref: WireObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: runner.pod, namespace: runner.namespace } }
  try {
    await context.client.deleteObject(ref)
    await poll(RELEASE_TIMEOUT_S, async () => (await context.client.readMetadata(ref)) === undefined || undefined)
  } catch {
    // The run's cleanup deletes whatever is left; a failed release only frees the slot late.
  }
}

/** Ephemeral mode: a probe container added to each source pod. One promise per source (see `eachStarted`). */
export function startEphemeralContainers(context: EngineContext, sources: PodEndpoint[]): Array<Promise<void>> {
  const { client, options } = context
  return eachStarted(sources, async (started) => {
    const added = new Map<string, PodEndpoint>()
    await inBatches(sources, EXEC_CONCURRENCY, async (source) => {
      try {
        await client.addEphemeralContainer(source.pod.namespace, source.pod.name, probeEphemeralContainer(options.run))
        added.set(source.key, source)
      } catch (error) {
        failSource(context, source.key, `could not add the ephemeral probe container: ${(error as Error).message}`)
        started(source.key)
      }
    })
    await waitForContainers(context, added, ephemeralContainerName(options.run.runId), (pod) => pod.status?.ephemeralContainerStatuses, started)
  })
}

/**
 * One promise per source, settled as soon as that source's container runs or has failed
 * (`startAll` calls `started(key)`), so its checks need not wait for the rest of the batch; all of
 * them settle when `startAll` ends, and reject if it fails.
 */
function eachStarted(sources: PodEndpoint[], startAll: (started: (source: string) => void) => Promise<void>): Array<Promise<void>> {
  const resolvers = new Map<string, () => void>()
  const own = sources.map((source) => new Promise<void>((resolve) => resolvers.set(source.key, resolve)))
  const all = startAll((source) => resolvers.get(source)?.())
  return own.map((promise) => Promise.race([promise, all]))
}

/** Polls the pods until each container runs or fails (`started` is told of each); `pending` maps namespace/pod to its source. */
async function waitForContainers(
  context: EngineContext, pending: Map<string, PodEndpoint>, container: string, statuses: (pod: WirePod) => ContainerStatus[] | undefined,
  started: (source: string) => void,
): Promise<void> {
  const { client, options } = context
  const total = pending.size
  const labelSelector = options.mode === 'pod' ? `${RUN_ID_LABEL}=${options.run.runId}` : ''
  const lastSeen = new Map<string, WirePod>()
  let ready = 0
  const outcome = await poll(options.startTimeout, async () => {
    const namespaces = new Set([...pending.values()].map((s) => s.pod.namespace))
    const pods = (await Promise.all([...namespaces].map((namespace) => client.listPods(namespace, labelSelector)))).flat()
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`
      const source = pending.get(key)
      if (!source) continue
      lastSeen.set(key, pod)
      const state = startState(pod, statuses(pod)?.find((c) => c.name === container))
      if (state === 'waiting') continue
      pending.delete(key)
      if (state !== 'running') failSource(context, source.key, state.failed)
      else {
        context.runners.set(source.key, { namespace: pod.metadata.namespace, pod: pod.metadata.name, container })
        context.emit({ kind: 'source-ready', source: source.key, ready: ++ready, total })
      }
      started(source.key)
    }
    return pending.size === 0 || undefined
  })
  if (outcome.done) return
  const lastError = outcome.lastError ? ` (last error: ${outcome.lastError.message})` : ''
  for (const [key, source] of pending) {
    const pod = lastSeen.get(key)
    failSource(context, source.key, `probe container not running after ${options.startTimeout}s: ${pod ? pendingReason(pod) : 'pod not found'}${lastError}`)
  }
}

type StartState = 'running' | 'waiting' | { failed: string }

function startState(pod: WirePod, status: ContainerStatus | undefined): StartState {
  if (status?.state?.running) return 'running'
  const waiting = status?.state?.waiting
  if (waiting?.reason && START_FAILURES.includes(waiting.reason)) {
    const what = IMAGE_FAILURES.includes(waiting.reason) ? 'the probe image could not be pulled' : 'the probe container could not start'
    return { failed: `${what} (${waiting.reason}: ${waiting.message ?? ''})`.replace(/: \)$/, ')') }
  }
  if (status?.state?.terminated) return { failed: `the probe container exited (${status.state.terminated.reason ?? 'terminated'})` }
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return { failed: `the probe pod ended (${pod.status.reason ?? pod.status.phase})` }
  return 'waiting'
}

function pendingReason(pod: WirePod): string {
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
  if (unscheduled) return `stuck Pending, not scheduled: ${unscheduled.message ?? unscheduled.reason}`
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting
  return `stuck ${pod.status?.phase ?? 'Pending'}${waiting?.reason ? ` (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})` : ''}`
}
