// npm run bench:probe-checker (needs the test cluster): the in-container programs compared on the
// same world and the same checks under load: the bash script (a `timeout bash` fork per check) and
// the Perl checker (one process, non-blocking sockets). 20 namespaces of the issue-9 world (40
// pods), one probe pod per workload pod with its identity, 40 × 40 = 1,600 checks, 16 execs at a
// time as the engine runs them. Prints wall time, wrong observations (a connection the world
// allows that timed out, or one it denies that went through) and connect times. Asserts nothing.
//   --namespaces 20   world size
//   --rounds 2        runs of each program, alternating
import { parseArgs } from 'node:util'
import { execInPod, kubeClients, waitFor } from '../e2e/support/cluster.js'
import { deleteScaleWorld, ensureScaleWorld } from '../e2e/support/scale-world.js'
import type { PodEndpoint } from '../../src/evaluate/endpoint.js'
import { RUN_ID_LABEL } from '../../src/model/cluster.js'
import { checkerCommand, type CheckerCheck } from '../../src/probe/checker.js'
import { parseScriptOutput, type CheckOutcome, type ScriptCheck } from '../../src/probe/script.js'
import { DEFAULT_IMAGE, type OwnerRef, PROBE_CONTAINER, probePod, runConfigMap, runObjectName } from '../../src/probe/spec.js'

const { values } = parseArgs({ options: { namespaces: { type: 'string', default: '20' }, rounds: { type: 'string', default: '2' } } })
const EXEC_CONCURRENCY = 16
const PARALLELISM = 32
const TIMEOUT_S = 2
const RUN_ID = `bench${Math.random().toString(36).slice(2, 6)}`

interface Workload {
  namespace: string
  pod: string
  app: string
  ip: string
  port: number
}

interface Source {
  workload: Workload
  probePod: string
}

async function workloads(namespaces: string[]): Promise<Workload[]> {
  const { core } = kubeClients()
  const pods = (await Promise.all(namespaces.map((namespace) => core.listNamespacedPod({ namespace })))).flatMap((l) => l.items)
  return pods.filter((p) => !p.metadata?.labels?.[RUN_ID_LABEL] && p.status?.podIP).map((p) => ({
    namespace: p.metadata!.namespace!, pod: p.metadata!.name!, app: p.metadata!.labels!.app, ip: p.status!.podIP!, port: p.spec!.containers[0].ports![0].containerPort,
  }))
}

async function startProbePods(targets: Workload[]): Promise<Source[]> {
  const { core } = kubeClients()
  const run = { runId: RUN_ID, image: DEFAULT_IMAGE, deadlineSeconds: 1800 }
  const owners = new Map<string, OwnerRef>()
  for (const namespace of new Set(targets.map((w) => w.namespace))) {
    const owner = await core.createNamespacedConfigMap({ namespace, body: runConfigMap(namespace, run) as never })
    owners.set(namespace, { apiVersion: 'v1', kind: 'ConfigMap', name: runObjectName(RUN_ID), uid: owner.metadata!.uid! })
  }
  const sources = await Promise.all(targets.map(async (workload) => {
    const endpoint = { key: `${workload.namespace}/${workload.pod}`, pod: { namespace: workload.namespace, labels: { app: workload.app } } } as unknown as PodEndpoint
    const created = await core.createNamespacedPod({ namespace: workload.namespace, body: probePod(endpoint, run, owners.get(workload.namespace)!) as never })
    return { workload, probePod: created.metadata!.name! }
  }))
  await waitFor(async () => {
    const pods = await core.listPodForAllNamespaces({ labelSelector: `${RUN_ID_LABEL}=${RUN_ID}` })
    return pods.items.filter((p) => p.status?.containerStatuses?.[0]?.state?.running).length === sources.length
  }, { timeoutMs: 300_000, intervalMs: 1000, description: 'probe pods running' })
  return sources
}

type Program = 'bash' | 'perl'

function command(program: Program, checks: CheckerCheck[]): string[] {
  if (program === 'bash') return ['bash', '-c', BASH_SCRIPT, 'netpol-probe', String(TIMEOUT_S), String(PARALLELISM), scriptInput(checks)]
  return checkerCommand(checks, { inFlight: PARALLELISM, perDestination: 2 })
}

async function runProgram(program: Program, sources: Source[], destinations: Workload[]): Promise<void> {
  const started = performance.now()
  const outcomes: Array<{ source: Workload; to: Workload; outcome?: CheckOutcome }> = []
  const queue = [...sources]
  await Promise.all(Array.from({ length: EXEC_CONCURRENCY }, async () => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      const checks = destinations.map((to, index): CheckerCheck => ({ index, mode: 'tcp', host: to.ip, port: to.port, timeoutMs: TIMEOUT_S * 1000 }))
      const result = await execInPod(source.workload.namespace, source.probePod, command(program, checks), { container: PROBE_CONTAINER, timeoutMs: 300_000 })
      const byIndex = new Map(parseScriptOutput(result.stdout, checks).map((o) => [o.index, o]))
      destinations.forEach((to, index) => outcomes.push({ source: source!.workload, to, outcome: byIndex.get(index) }))
    }
  }))
  const wallS = (performance.now() - started) / 1000
  const allowed = (from: Workload, to: Workload) => to.app !== 'api' || (from.app === 'web' && from.namespace === to.namespace)
  const falseBlocked = outcomes.filter((o) => allowed(o.source, o.to) && o.outcome?.observation !== 'connected')
  const falseAllowed = outcomes.filter((o) => !allowed(o.source, o.to) && o.outcome?.observation === 'connected')
  const missing = outcomes.filter((o) => !o.outcome)
  const connectMs = outcomes.filter((o) => o.outcome?.observation === 'connected').map((o) => o.outcome!.elapsedMs).sort((a, b) => a - b)
  const pct = (p: number) => connectMs[Math.min(connectMs.length - 1, Math.floor(connectMs.length * p))] ?? 0
  console.log(`  ${program}: ${outcomes.length} checks in ${wallS.toFixed(1)} s; wrong: ${falseBlocked.length} allowed-but-not-connected, ${falseAllowed.length} denied-but-connected, ${missing.length} without a result; connect ms p50 ${pct(0.5)} p90 ${pct(0.9)} max ${connectMs.at(-1) ?? 0}`)
}

async function main(): Promise<void> {
  const size = Number(values.namespaces)
  const namespaces = await ensureScaleWorld(size)
  try {
    const targets = await workloads(namespaces)
    const sources = await startProbePods(targets)
    console.log(`checker bench: ${sources.length} probe pods × ${targets.length} destinations = ${sources.length * targets.length} TCP checks, ${EXEC_CONCURRENCY} execs at a time, ${PARALLELISM} checks in flight per container, ${TIMEOUT_S} s timeout`)
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const program of ['bash', 'perl'] as const) await runProgram(program, sources, targets)
    }
  } finally {
    await deleteScaleWorld()
  }
}

/**
 * The program the probe ran before the checker: a `timeout bash` (or dig, socat) per check, whose
 * clock starts when the fork is scheduled. Kept here to be measured against the checker.
 * Arguments: $1 per-check timeout (s), $2 parallelism, $3 the checks, one `index mode host port` per line.
 */
const BASH_SCRIPT = String.raw`
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

function scriptInput(checks: ScriptCheck[]): string {
  return checks.map((c) => `${c.index} ${c.mode} ${c.host} ${c.port}\n`).join('')
}

await main()
