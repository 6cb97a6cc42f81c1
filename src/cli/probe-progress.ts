import type { WorkflowEvent } from '../probe/events.js'
import type { ProgressUpdate } from './progress.js'

/** A progress title for each event of a probe run or of the workflow around it. */
export function probeProgress(update: ProgressUpdate): (event: WorkflowEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'phase': return update(event.text)
      case 'snapshot': return update(`Read ${event.pods} pods and ${event.policies} policies`)
      case 'planned': return update(`Planned ${event.jobs} checks from ${event.sources} sources`)
      case 'starting': return update(`Starting ${event.sources} probe ${event.mode === 'pod' ? 'pods' : 'containers'}`)
      case 'source-ready': return update(`Probe containers running: ${event.ready}/${event.total}`)
      case 'source-failed': return update(`Probe for ${event.source} failed: ${event.reason}`)
      case 'round': return update(`Probing round ${event.round}: ${event.checks} checks from ${event.sources} sources`)
      case 'source-probed': return update(`Probed ${event.checks} checks from ${event.source}`)
      case 'settling': return update(`Re-probing ${event.pending} disagreement(s) until they settle`)
      case 'cleaned': return update(`Cleaned up probe objects in ${event.namespaces} namespace(s)`)
    }
  }
}
