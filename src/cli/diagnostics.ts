import type { LintWarning } from '../evaluate/lint.js'

/** Notes and lint warnings go to stderr so stdout stays machine-readable. */
export function printDiagnostics(report: { notes: string[]; warnings: LintWarning[] }): void {
  for (const note of report.notes) process.stderr.write(`note: ${note}\n`)
  for (const warning of report.warnings) process.stderr.write(`warning: ${warning.message}\n`)
}
