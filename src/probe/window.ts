// The probe-pod window: how many probe pods may exist at once, and when a waiting source gets a
// slot. Pure. A probe pod is deleted as soon as its source's checks are done, and its slot is free
// again only once the pod is gone (a terminating pod still takes a place on its node).
//
// Why delete instead of relabelling a finished probe pod for the next source of the same namespace
// and service account: enforcers apply label changes asynchronously, and nothing tells the probe
// when they are done. Checks measured from a relabelled pod in between run with the old identity's
// rules; an old rule that allows what the new identity is also predicted to be allowed shows as
// agreement, and agreements are never re-probed, so the error would be reported as truth. A new pod
// can only be seen before its rules exist the way any new workload pod is, which the settle loop
// already re-probes. (Its service account could not be changed anyway: the field is immutable.)

export interface NodeCapacity {
  name: string
  /** status.allocatable.pods */
  allocatablePods: number
  /** Pods bound to the node that are not Succeeded or Failed (terminating ones still count). */
  pods: number
  /** Not cordoned and without a NoSchedule/NoExecute taint (probe pods tolerate none). */
  schedulable: boolean
}

/** The default window never exceeds this, however much room the nodes have. */
export const MAX_DEFAULT_WINDOW = 20

export interface Window {
  size: number
  /** Free pod slots on schedulable nodes when the run started. */
  freeSlots: number
}

/**
 * Half the free pod slots of the schedulable nodes, at least 1 and at most MAX_DEFAULT_WINDOW:
 * the other half stays free for the workloads (a rolling update needs room for its surge pods).
 */
export function defaultWindow(nodes: NodeCapacity[]): Window {
  const freeSlots = nodes.filter((n) => n.schedulable).reduce((sum, n) => sum + Math.max(0, n.allocatablePods - n.pods), 0)
  return { size: Math.min(MAX_DEFAULT_WINDOW, Math.max(1, Math.floor(freeSlots / 2))), freeSlots }
}

/** How many turns the sources take through the window. */
export function roundsFor(sources: number, window: number): number {
  return Math.ceil(sources / window)
}

export interface SlotState {
  /** Probe pods of this run that exist, terminating ones included. */
  present: number
  window: number
  waiting: number
}

/** How many waiting sources may create their probe pod now. */
export function slotsToFill({ present, window, waiting }: SlotState): number {
  return Math.max(0, Math.min(waiting, window - present))
}

export interface WindowRun<S> {
  sources: S[]
  window: number
  /** Starts the probe containers of a batch of sources: one promise per source, settled when its container runs or has failed. */
  start(batch: S[]): Array<Promise<void>>
  /** Probes one started source to the end. Never throws: results are values. */
  work(source: S): Promise<void>
  /** Deletes the source's probe pod; resolves once it is gone and its slot is free. */
  release(source: S): Promise<void>
}

/**
 * Takes the sources through the window: whenever fewer than `window` probe pods exist, the next
 * waiting sources start together; each is probed as soon as its own container runs (not when the
 * whole batch does) and released as soon as its work is done.
 */
export async function throughWindow<S>(run: WindowRun<S>): Promise<void> {
  const waiting = [...run.sources]
  let present = 0
  const running: Array<Promise<void>> = []
  await new Promise<void>((resolve, reject) => {
    const admit = () => {
      const batch = waiting.splice(0, slotsToFill({ present, window: run.window, waiting: waiting.length }))
      if (batch.length === 0) {
        if (present === 0 && waiting.length === 0) resolve()
        return
      }
      present += batch.length
      const started = run.start(batch)
      running.push(...batch.map(async (source, i) => {
        try {
          await started[i]
          await run.work(source)
        } finally {
          await run.release(source)
          present--
          admit()
        }
      }).map((turn) => turn.then(() => undefined, reject)))
    }
    admit()
  })
  await Promise.all(running)
}
