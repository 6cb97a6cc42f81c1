// The exit-code rule of the commands that measure (probe, scenario run, drill check).
import { ExitCode } from '../model/errors.js'

/** 1 when something failed, else 3 when something could not be measured, else 0. */
export function measuredExitCode(failed: number, unknown: number): number {
  if (failed > 0) return ExitCode.disagreement
  return unknown > 0 ? ExitCode.unknown : ExitCode.ok
}
