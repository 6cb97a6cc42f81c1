// One round for one source: its checks sent to its probe container in one exec, the output read back as results.
import type { ExecResult } from '../kube/client.js'
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../model/probe.js'
import type { EngineContext } from './context.js'
import { checkMode, parseScriptOutput, PROBE_SCRIPT, scriptInput, type ScriptCheck } from './script.js'

export async function probeSourceRound(context: EngineContext, source: string, jobs: ProbeJob[]): Promise<ProbeResult[]> {
  const runner = context.runners.get(source) ?? { failed: 'no probe container was started for this source' }
  if ('failed' in runner) return jobs.map((job) => ({ jobId: job.id, ran: false, reason: 'pod-failed', detail: runner.failed }))
  const { checks, unverifiable } = scriptChecks(jobs)
  if (checks.length === 0) return unverifiable
  const { checkTimeout, parallelism } = context.options
  const timeoutMs = (Math.ceil(checks.length / parallelism) * (checkTimeout + 1) + 20) * 1000
  const command = ['bash', '-c', PROBE_SCRIPT, 'netpol-probe', String(checkTimeout), String(parallelism), scriptInput(checks)]
  const exec = await context.client.exec(runner, command, timeoutMs)
  context.emit({ kind: 'source-probed', source, checks: checks.length })
  return [...unverifiable, ...checkResults(jobs, checks, exec)]
}

/** The checks the probe script can run; a UDP port without a known responder cannot be verified. */
function scriptChecks(jobs: ProbeJob[]): { checks: ScriptCheck[]; unverifiable: ProbeResult[] } {
  const checks: ScriptCheck[] = []
  const unverifiable: ProbeResult[] = []
  jobs.forEach((job, index) => {
    const mode = checkMode(job.protocol, job.udpResponder)
    if (mode) checks.push({ index, mode, host: job.target.host, port: job.target.port })
    else unverifiable.push({ jobId: job.id, ran: false, reason: 'unverifiable', detail: 'UDP port without a known responder' })
  })
  return { checks, unverifiable }
}

/** A check the output has no line for did not run: `not-probed`, with what the exec said. */
function checkResults(jobs: ProbeJob[], checks: ScriptCheck[], exec: ExecResult): ProbeResult[] {
  const outcomes = new Map(parseScriptOutput(exec.stdout, checks).map((o) => [o.index, o]))
  return checks.map((check): ProbeResult => {
    const job = jobs[check.index]
    const outcome = outcomes.get(check.index)
    return outcome
      ? { jobId: job.id, ran: true, observation: outcome.observation, elapsedMs: outcome.elapsedMs, detail: outcome.detail }
      : { jobId: job.id, ran: false, reason: 'not-probed', detail: `the probe container gave no result: ${exec.error ?? (exec.stderr.trim() || `exit code ${exec.exitCode}`)}` }
  })
}
