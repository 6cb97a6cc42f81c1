// The report contract of the drill commands (what `--json` prints).
import type { DrillGrade } from './grade.js'
import type { Difficulty, Drill } from './model.js'

/** A drill as `drill list` shows it. */
export type DrillSummary = Pick<Drill, 'name' | 'title' | 'difficulty' | 'tags'>

export interface StartReport {
  drill: string
  title: string
  difficulty: Difficulty
  task: string
  namespaces: string[]
  /** Policies that exist from the start. */
  policies: string[]
}

export interface CheckReport {
  drill: string
  title: string
  namespaces: string[]
  checks: DrillGrade['checks']
  summary: DrillGrade['summary']
  diagnoses: string[]
  durationMs: number
}

export interface ResetReport {
  drill: string
  deleted: string[]
}

export interface HintReport {
  drill: string
  /** The hints given by this call. */
  hints: Array<{ number: number; text: string }>
  total: number
  remaining: number
}

export interface SolutionReport {
  drill: string
  /** NetworkPolicy manifests, ready for `kubectl apply`. */
  manifests: object[]
}
