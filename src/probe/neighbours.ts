// What the probe pods saw of their node's neighbour (ARP) table, and what that does to timeouts. Pure.
//
// On a shared L2 segment (a bridge CNI) every pod resolves every pod it talks to, and a node keeps
// one neighbour table for all its network namespaces. When it is full, a packet that needs a new
// entry is dropped, in either direction: a connect then times out whatever the policies say, and the
// side that failed may be the destination's, which the source cannot see. A pod cannot read the
// node's table statistics (/proc/net/stat/arp_cache exists only in the node's own network
// namespace), so every exec of the checker reports what its pod saw of its own entries
// (./checker.ts, NETPOL-NEIGH): entries the node could not create, entries it evicted. An exec
// that saw either is a sighting over its time span, and a timeout whose attempt overlapped a
// sighting of any probe pod of the run is no evidence: it is re-checked, and unknown if it stays.
import { NEIGHBOUR_INCONCLUSIVE, type ProbeResult } from '../model/probe.js'
import type { NeighbourSighting } from './checker.js'

/** When an exec ran, by the plugin's clock (ms). */
export interface Span {
  startedAt: number
  endedAt: number
}

export interface NeighbourTrouble extends Span, NeighbourSighting {}

/** A span is measured from outside the pod (exec set-up included): sightings this close still count. */
const SLACK_MS = 1000

export function isTrouble(sighting: NeighbourSighting | undefined): sighting is NeighbourSighting {
  return sighting !== undefined && (sighting.missing > 0 || sighting.evicted > 0)
}

export function troubleDuring(span: Span, troubles: NeighbourTrouble[]): boolean {
  return troubles.some((t) => t.startedAt <= span.endedAt + SLACK_MS && span.startedAt <= t.endedAt + SLACK_MS)
}

export function isTimeout(result: ProbeResult): boolean {
  return result.ran && (result.observation === 'timeout' || result.observation === 'unreachable')
}

/** A timeout measured while the table was in trouble becomes unknown with the reason; anything else stands. */
export function judgeTimeout(result: ProbeResult, span: Span | undefined, troubles: NeighbourTrouble[]): ProbeResult {
  if (!isTimeout(result) || span === undefined || !troubleDuring(span, troubles)) return result
  return { jobId: result.jobId, ran: false, reason: 'not-probed', detail: NEIGHBOUR_INCONCLUSIVE }
}
