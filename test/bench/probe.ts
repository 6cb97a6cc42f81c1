// npm run bench:probe (needs the test cluster): wall time of `probe` for 9 pods in 3 namespaces x
// ports 80/81 x TCP/UDP/SCTP = 486 checks, once with everything denied and once with everything
// allowed. Prints figures (run it once per enforcer: kube-router rejects denied connections,
// kube-network-policies drops them, so there a denied check lasts the whole check timeout);
// asserts nothing about speed.
import * as k8s from '@kubernetes/client-node'
import { createPodAndWait, createTestNamespace, deleteNamespace, enforcerMode, kubeClients, kubeconfigPath, netshootPod } from '../e2e/support/cluster.js'
import { connect } from '../../src/kube/connect.js'
import type { ProbeReport } from '../../src/report/model.js'
import { probe } from '../../src/workflows/probe.js'
import { DEFAULT_IMAGE } from '../../src/probe/spec.js'

const PORTS = [80, 81]
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const

function server(namespace: string, name: string): k8s.V1Pod {
  const listeners = PORTS.flatMap((p) => [
    `socat TCP-LISTEN:${p},fork,reuseaddr SYSTEM:'echo ok' &`,
    `socat UDP-RECVFROM:${p},fork,reuseaddr SYSTEM:cat &`,
    `socat SCTP-LISTEN:${p},fork,reuseaddr SYSTEM:'echo ok' 2>/dev/null &`,
  ]).join(' ')
  const pod = netshootPod({ namespace, name, labels: { pod: name }, root: true, command: ['bash', '-c', `${listeners} wait`] })
  pod.spec!.containers[0].ports = PORTS.flatMap((port) => PROTOCOLS.map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })))
  return pod
}

async function round(label: string, namespaces: string[]): Promise<ProbeReport> {
  const started = performance.now()
  const phases: string[] = []
  const firstRounds: string[] = []
  let rechecks = 0
  let lastDone = ''
  const report = await probe({
    source: { files: [], client: connect({ kubeconfig: kubeconfigPath() }), scope: { namespaces, allNamespaces: false } },
    request: { from: [], to: [], ports: [] }, externals: [], service: false, allPods: false, mode: 'pod', image: DEFAULT_IMAGE,
    checkTimeout: 2, startTimeout: 90, settle: 10, parallelism: 64, udpEchoPorts: new Set(PORTS.map(String)), serversListen: true,
    onEvent: (event) => {
      const at = `${((performance.now() - started) / 1000).toFixed(1)}s`
      if (['planned', 'starting', 'round', 'cleaned'].includes(event.kind) || (event.kind === 'source-ready' && event.ready === event.total)) phases.push(`${event.kind} ${at}`)
      if (event.kind === 'source-probed') firstRounds.push(at)
      if (event.kind === 'rechecking') rechecks++
      if (event.kind === 'source-done') lastDone = at
    },
  })
  phases.push(`first rounds done ${firstRounds[0]}–${firstRounds.at(-1)}, ${rechecks} re-check round(s), last source done ${lastDone}`)
  const s = report.summary
  console.log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s wall, ${s.checks} checks (agree ${s.agree}, under ${s.underEnforced}, over ${s.overEnforced}, unknown ${s.unknown})`)
  console.log(`    phases: ${phases.join(', ')}`)
  for (const r of report.results.filter((r) => r.verdict === 'over-enforced' || r.verdict === 'under-enforced')) {
    console.log(`    ${r.verdict}: ${r.from} → ${r.to}:${r.port}/${r.protocol} ${r.observed} after ${r.attempts} attempts (${r.detail ?? ''})`)
  }
  return report
}

async function main(): Promise<void> {
  const namespaces = await Promise.all(['x', 'y', 'z'].map((n) => createTestNamespace(`bench-${n}`)))
  try {
    await Promise.all(namespaces.flatMap((ns) => ['a', 'b', 'c'].map((p) => createPodAndWait(server(ns, p)))))
    console.log(`probe bench (enforcer: ${enforcerMode()}): 9 pods in 3 namespaces x ports 80/81 x TCP/UDP/SCTP`)
    const { objects } = kubeClients()
    for (const ns of namespaces) {
      await objects.create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } as k8s.KubernetesObject)
    }
    await round('everything denied (goal ≤ 10 s)', namespaces)
    for (const ns of namespaces) await objects.delete({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: ns } } as k8s.KubernetesObject)
    await round('everything allowed', namespaces)
    console.log('  (SCTP checks are unknown on a kernel without SCTP support, such as this test machine)')
  } finally {
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns)))
  }
}

await main()
