// The report contract of `scenario validate` and `scenario run` (what `--json` prints).
import type { StepCheck, StepSummary } from './compare.js'
import type { ScenarioValidation } from './validate.js'

export interface ValidateReport {
  scenarios: ScenarioValidation[]
  summary: { scenarios: number; expectations: number; contradictions: number }
}

export interface StepRun {
  name: string
  /** Why the step was not probed (offlineOnly). */
  skipped?: string
  checks: StepCheck[]
  summary: StepSummary
  diagnoses: string[]
}

export interface ScenarioRun {
  file: string
  name: string
  runId: string
  namespaces: string[]
  kept: boolean
  steps: StepRun[]
  durationMs: number
}

export interface RunReport {
  scenarios: ScenarioRun[]
  summary: StepSummary & { scenarios: number; durationMs: number }
}
