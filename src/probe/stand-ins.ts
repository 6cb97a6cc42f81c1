// Destination stand-ins on the cluster: what around the destinations decides whether a stand-in is
// safe (Services), starting the stand-ins of one turn and learning which ports
// each listens on, and deleting them again. The planning is pure (../plan/stand-ins.ts); the run's
// cleanup removes whatever is left (everything carries the run-id label, in a touched namespace).
import type { KubeClient, WireObject, WirePod } from '../kube/client.js'
import { poll } from '../kube/poll.js'
import { RUN_ID_LABEL } from '../model/cluster.js'
import type { Placement, StandInSpec, StandInSurroundings } from '../plan/stand-ins.js'
import { createPods, inBatches } from './batches.js'
import { EXEC_CONCURRENCY, type EngineContext } from './context.js'
import { parseListenerStatus, STAND_IN_CONTAINER, standInPod, statusCommand } from './stand-in-pod.js'
import { createOwners } from './start.js'

const STATUS_TIMEOUT_MS = 30_000
const RELEASE_TIMEOUT_S = 60

/** The Services of the destinations' namespaces, as the planner needs them. */
export async function readSurroundings(client: KubeClient, namespaces: string[]): Promise<StandInSurroundings> {
  const services = (await Promise.all(namespaces.map((namespace) => client.listObjects('Service', { namespace })))).flat()
  return {
    services: services.map((s) => {
      const spec = (s.spec ?? {}) as { selector?: Record<string, string>; publishNotReadyAddresses?: boolean }
      return { namespace: s.metadata.namespace!, name: s.metadata.name!, selector: spec.selector, publishNotReadyAddresses: spec.publishNotReadyAddresses === true }
    }),
  }
}

/**
 * Creates the stand-ins (owned by the run's owner object of their namespace), waits until each
 * runs, and reads which ports its listener bound. A stand-in that fails is a placement with the
 * reason, never an exception: its destination's checks then dial the real pod.
 */
export interface StandInTurn {
  /** Per destination key. */
  placements: Map<string, Placement>
  /** namespace/name of every stand-in pod created, running or not. */
  pods: string[]
}

export async function startStandIns(context: EngineContext, specs: StandInSpec[]): Promise<StandInTurn> {
  const { client, options } = context
  await createOwners(context, [...new Set(specs.map((s) => s.namespace))])
  const placements = new Map<string, Placement>()
  const created = await createPods(context, specs, (spec) => standInPod(spec, options.run, context.owners.get(spec.namespace)!), (spec, error) => {
    placements.set(spec.destination, { failed: `could not create it: ${error.message}` })
  })
  const running = await waitRunning(context, created)
  await inBatches([...created], EXEC_CONCURRENCY, async ([key, spec]) => {
    const pod = running.get(key)
    if (!pod || 'failed' in pod) {
      placements.set(spec.destination, { failed: pod?.failed ?? 'not running' })
      return
    }
    const exec = await client.exec({ namespace: pod.namespace, pod: pod.name, container: STAND_IN_CONTAINER }, statusCommand(), STATUS_TIMEOUT_MS)
    const status = parseListenerStatus(exec.stdout)
    placements.set(spec.destination, status ? { pod: key, ip: pod.ip, ...status } : { failed: `its listener did not report (${exec.error ?? (exec.stderr.trim() || `exit code ${exec.exitCode}`)})` })
  })
  return { placements, pods: [...created.keys()] }
}

type Running = { namespace: string; name: string; ip: string } | { failed: string }

async function waitRunning(context: EngineContext, pending: Map<string, StandInSpec>): Promise<Map<string, Running>> {
  const { client, options } = context
  const found = new Map<string, Running>()
  const lastSeen = new Map<string, WirePod>()
  const namespaces = [...new Set([...pending.values()].map((s) => s.namespace))]
  await poll(options.startTimeout, async () => {
    const pods = (await Promise.all(namespaces.map((namespace) => client.listPods(namespace, `${RUN_ID_LABEL}=${options.run.runId}`)))).flat()
    for (const pod of pods) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`
      if (!pending.has(key) || found.has(key)) continue
      lastSeen.set(key, pod)
      const status = pod.status?.containerStatuses?.find((c) => c.name === STAND_IN_CONTAINER)
      if (status?.state?.running && pod.status?.podIP) found.set(key, { namespace: pod.metadata.namespace, name: pod.metadata.name, ip: pod.status.podIP })
      else if (status?.state?.terminated || pod.status?.phase === 'Failed') found.set(key, { failed: `the stand-in pod ended (${status?.state?.terminated?.reason ?? pod.status?.reason ?? 'Failed'})` })
      else if (status?.state?.waiting?.reason && /Err|BackOff|Invalid/.test(status.state.waiting.reason)) found.set(key, { failed: `the stand-in could not start (${status.state.waiting.reason})` })
    }
    return found.size === pending.size || undefined
  })
  for (const key of pending.keys()) {
    if (!found.has(key)) found.set(key, { failed: `not running after ${options.startTimeout}s (${lastSeen.get(key)?.status?.phase ?? 'not found'})` })
  }
  return found
}

/** Deletes a turn's stand-ins and waits (bounded) until they are gone, so their window slots are free. */
export async function releaseStandIns(context: EngineContext, turn: StandInTurn): Promise<void> {
  await inBatches(turn.pods, EXEC_CONCURRENCY, async (pod) => {
    const [namespace, name] = pod.split('/')
    const ref: WireObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } }
    try {
      await context.client.deleteObject(ref)
      await poll(RELEASE_TIMEOUT_S, async () => (await context.client.readMetadata(ref)) === undefined || undefined)
    } catch {
      // The run's cleanup deletes whatever is left.
    }
  })
}

