// What a probe container's checker (./checker.ts) prints, parsed and classified: one line per check
//   NETPOL <index> <exit code> <elapsed ms> <what it saw, on one line>
// Classification happens here, in TypeScript, where it can be tested without a cluster.
import type { Protocol } from '../model/cluster.js'
import { isUnresolvedHop, type Observation } from '../model/probe.js'

export type CheckMode = 'tcp' | 'dns' | 'echo' | 'sctp'

export interface ScriptCheck {
  index: number
  mode: CheckMode
  host: string
  port: number
}


export interface CheckOutcome {
  index: number
  observation: Observation
  elapsedMs: number
  detail: string
}

export function checkMode(protocol: Protocol, udpResponder?: 'dns' | 'echo'): CheckMode | undefined {
  if (protocol === 'TCP') return 'tcp'
  if (protocol === 'SCTP') return 'sctp'
  return udpResponder
}

export function parseScriptOutput(stdout: string, checks: ScriptCheck[]): CheckOutcome[] {
  const modes = new Map(checks.map((c) => [c.index, c.mode]))
  const outcomes: CheckOutcome[] = []
  for (const line of stdout.split('\n')) {
    const match = /^NETPOL (\d+) (\d+) (\d+) ?(.*)$/.exec(line.trim())
    if (!match) continue
    const index = Number(match[1])
    const mode = modes.get(index)
    if (!mode) continue
    outcomes.push({ index, observation: classify(mode, Number(match[2]), match[4]), elapsedMs: Number(match[3]), detail: match[4].trim() })
  }
  return outcomes
}

const TIMEOUT_EXIT = 124

export function classify(mode: CheckMode, exitCode: number, output: string): Observation {
  if (isUnresolvedHop(output)) return 'unresolved'
  if (/not known|resolv|name resolution|getaddrinfo|NXDOMAIN/i.test(output) && mode !== 'dns') return 'dns-failure'
  if (/refused/i.test(output)) return 'refused'
  if (/no route|unreachable/i.test(output)) return 'unreachable'
  if (/protocol not supported|protocol not available|not implemented/i.test(output)) return 'error'
  if (exitCode === TIMEOUT_EXIT || /timed out|no servers could be reached/i.test(output)) return 'timeout'
  switch (mode) {
    case 'tcp':
    case 'sctp':
      return exitCode === 0 ? 'connected' : 'error'
    case 'dns':
      return exitCode === 0 ? 'connected' : 'error'
    case 'echo':
      // socat exits 0 after -T seconds of silence: only the echoed payload proves the path.
      return output.includes('netpol-probe') ? 'connected' : exitCode === 0 ? 'timeout' : 'error'
  }
}
