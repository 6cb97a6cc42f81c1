// Progress events of a probe run and of the workflows built on it, as the CLI shows them.
import type { ProbeEvent } from './engine.js'

export type ProbeRunEvent =
  | ProbeEvent
  | { kind: 'snapshot'; pods: number; policies: number }
  | { kind: 'planned'; jobs: number; sources: number }
  | { kind: 'settling'; pending: number }

/** A step of a scenario or drill workflow (creating the world, a step, tearing down). */
export interface PhaseEvent {
  kind: 'phase'
  text: string
}

export type WorkflowEvent = ProbeRunEvent | PhaseEvent
