import type { WorkflowEvent } from '../probe/events.js'
import { emptyTally, tallyLine } from './probe-tally.js'
import type { ProgressUpdate } from './progress.js'

/** Tally lines are not repeated more often than this (the plain renderer prints every update as a line). */
const TALLY_EVERY_MS = 1000

/** A progress title for each event of a probe run or of the workflow around it; while probing, the tally of sources, checks, rounds and ETA. */
export function probeProgress(update: ProgressUpdate, now: () => number = Date.now): (event: WorkflowEvent) => void {
  const tally = emptyTally()
  let lastTallyAt = -Infinity
  const showTally = (force = false) => {
    if (!force && now() - lastTallyAt < TALLY_EVERY_MS) return
    lastTallyAt = now()
    update(tallyLine(tally, now()))
  }
  return (event) => {
    switch (event.kind) {
      case 'phase': return update(event.text)
      case 'snapshot': return update(`Read ${event.pods} pods and ${event.policies} policies`)
      case 'planned': return update(`Planned ${event.jobs} checks from ${event.sources} sources`)
      case 'starting':
        Object.assign(tally, { sourcesTotal: event.sources, checksTotal: event.checks, window: event.window, rounds: event.rounds, measuringSinceMs: now() })
        return update(`Starting probe ${event.mode === 'pod' ? 'pods' : 'containers'}: ${event.sources} sources through a window of ${event.window} (${event.rounds} round${event.rounds === 1 ? '' : 's'})`)
      case 'source-ready':
        tally.sourcesStarted++
        return showTally()
      case 'source-failed': return update(`Probe for ${event.source} failed: ${event.reason}`)
      case 'source-probed':
        tally.checksDone += event.checks
        return showTally()
      case 'rechecking': return showTally()
      case 'source-done':
        tally.sourcesDone++
        return showTally(tally.sourcesDone === tally.sourcesTotal)
      case 'cleaned': return update(`Cleaned up probe objects in ${event.namespaces} namespace(s)`)
    }
  }
}
