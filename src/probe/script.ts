// The program a probe container runs, and the parser for what it prints. The container gets the
// checks as an argument (exec stdin cannot be half-closed on older API servers), runs them concurrently (bounded), and prints one line per check:
//   NETPOL <index> <exit code> <elapsed ms> <tool output on one line>
// Classification happens here, in TypeScript, where it can be tested without a cluster.
import type { Protocol } from '../model/cluster.js'
import type { Observation } from '../model/probe.js'

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

/** Arguments: $1 per-check timeout (s), $2 parallelism, $3 the checks, one `index mode host port` per line. */
export const PROBE_SCRIPT = String.raw`
T="$1"; P="$2"; CHECKS="$3"
# One SCTP socket test instead of one failing socat per SCTP check on kernels without SCTP.
sctp_error=""
if [[ "$CHECKS" == *" sctp "* ]]; then
  sctp_error=$(socat -T1 /dev/null SCTP-CONNECT:127.0.0.1:9 2>&1 | grep -io 'protocol not supported\|protocol not available' | head -1)
fi
set -f
# Milliseconds from bash's own clock: no date(1) fork per check.
now_ms() { local s us; IFS=. read -r s us <<< "$EPOCHREALTIME"; echo $(( s * 1000 + 10#$us / 1000 )); }
check() {
  local n="$1" mode="$2" host="$3" port="$4" out rc start
  start=$(now_ms)
  case "$mode" in
    tcp)  out=$(timeout "$T" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>&1); rc=$? ;;
    dns)  out=$(dig +time="$T" +tries=1 +short "@$host" -p "$port" kubernetes.default.svc.cluster.local 2>&1); rc=$? ;;
    echo) out=$(echo netpol-probe | timeout "$T" socat -T"$T" - "UDP:$host:$port" 2>&1); rc=$? ;;
    sctp) if [ -n "$sctp_error" ]; then out="SCTP: $sctp_error by this kernel"; rc=1
          else out=$(timeout "$T" socat -T"$T" /dev/null "SCTP:$host:$port" 2>&1); rc=$?; fi ;;
    *)    out="unknown mode $mode"; rc=2 ;;
  esac
  # Builtins only: fold the output onto one line (word splitting, globbing is off) and cut it.
  printf -v out '%s ' $out
  printf -v out '%.300s' "$out"
  echo "NETPOL $n $rc $(( $(now_ms) - start )) $out"
}
running=0
while read -r n mode host port; do
  [ -n "$n" ] || continue
  check "$n" "$mode" "$host" "$port" &
  running=$((running + 1))
  if [ "$running" -ge "$P" ]; then wait -n; running=$((running - 1)); fi
done <<< "$CHECKS"
wait
echo "NETPOL-DONE"
`

export function scriptInput(checks: ScriptCheck[]): string {
  return checks.map((c) => `${c.index} ${c.mode} ${c.host} ${c.port}\n`).join('')
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
