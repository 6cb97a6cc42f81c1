// `probe --target stand-ins|both` on the real cluster: a destination that declares TCP 8080 with
// nothing listening and UDP 5353 with a real UDP server, behind a policy that admits one source and
// not another. Stand-ins make every check a measurement of the policy; a rule the test puts on the
// node (host iptables, removed in `finally`) makes the node block what the policy allows.
import { execFileSync } from 'node:child_process'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clusterAvailable, createPodAndWait, createTestNamespace, deleteNamespace, kubeClients, netshootPod, policiesEnforced, waitFor,
} from './support/cluster.js'
import { runCli } from './support/cli.js'

const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'
const enforced = clusterAvailable() && policiesEnforced()

interface Result {
  from: string
  to: string
  port: number | string
  protocol: string
  predicted: string
  observed: string
  verdict: string
  standIn?: string
  note?: string
}

async function createWorld(): Promise<string> {
  const ns = await createTestNamespace('standin')
  await createPodAndWait(netshootPod({
    namespace: ns, name: 'api', labels: { app: 'api' },
    // A real UDP server on 5353; nothing listens on the declared TCP 8080.
    command: ['socat', 'UDP-RECVFROM:5353,fork,reuseaddr', 'SYSTEM:cat'],
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'mdns', containerPort: 5353, protocol: 'UDP' }],
  }))
  await Promise.all(['client', 'other'].map((name) => createPodAndWait(netshootPod({ namespace: ns, name, labels: { app: name } }))))
  const { net } = kubeClients()
  await net.createNamespacedNetworkPolicy({
    namespace: ns,
    body: ObjectSerializer.deserialize({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-from-client' },
      // The named port resolves on the stand-in as on the pod: it declares the same names.
      spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }, { port: 5353, protocol: 'UDP' }] }] },
    }, 'V1NetworkPolicy', ''),
  })
  return ns
}

async function probe(ns: string, ...args: string[]): Promise<{ code: number | null; results: Result[]; report: Record<string, unknown>; stderr: string }> {
  const result = await runCli(['probe', '-n', ns, '--to', `${ns}/api`, '-o', 'json', ...args])
  expect(result.stderr).not.toMatch(/^error/m)
  const report = JSON.parse(result.stdout)
  return { code: result.code, results: report.results, report, stderr: result.stderr }
}

function check(results: Result[], ns: string, from: string, protocol: string, standIn = true): Result {
  const found = results.filter((r) => r.from === `${ns}/${from}` && r.protocol === protocol && Boolean(r.standIn) === standIn)
  expect(found, `${from} → api ${protocol}`).toHaveLength(1)
  return found[0]
}

/**
 * A rule on the node that blocks what the policy allows, removed again whatever happens. It lives
 * in a table of its own (nftables, forward hook, before the iptables filter chains): the enforcers
 * rewrite their own rules and chains, never this table.
 */
const NODE_TABLE = 'kubectl_netpol_e2e'
async function withNodeRule<T>(rule: string, body: () => Promise<T>): Promise<T> {
  const script = [
    `table inet ${NODE_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    `    ip saddr 198.18.0.0/16 ip daddr 198.18.0.0/16 ${rule}`,
    '  }',
    '}',
  ].join('\n')
  execFileSync('nft', ['-f', '-'], { input: script })
  try {
    return await body()
  } finally {
    execFileSync('nft', ['delete', 'table', 'inet', NODE_TABLE])
  }
}

async function runObjectsLeft(ns: string): Promise<string[]> {
  const { core } = kubeClients()
  const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items.filter((p) => !p.metadata?.deletionTimestamp)
  const maps = (await core.listNamespacedConfigMap({ namespace: ns, labelSelector: RUN_ID_LABEL })).items
  return [...pods, ...maps].map((o) => o.metadata!.name!)
}

describe.runIf(enforced)('probe --target stand-ins on the real cluster', () => {
  let ns: string
  beforeAll(async () => { ns = await createWorld() }, 180_000)
  afterAll(async () => { if (ns) await deleteNamespace(ns) }, 180_000)

  it('measures every TCP and UDP check, all agree with the prediction, and removes its stand-ins', async () => {
    const { code, results } = await probe(ns, '--target', 'stand-ins')
    expect(results.filter((r) => ['unverifiable', 'unknown'].includes(r.observed) || r.verdict !== 'agree')).toEqual([])
    expect(results.every((r) => r.standIn)).toBe(true)
    expect(code).toBe(0)
    // The declared-but-closed TCP port and the UDP port both read as the policy: open for the client,
    // denied for the other source.
    expect(check(results, ns, 'client', 'TCP')).toMatchObject({ port: 8080, predicted: 'allowed', observed: 'allowed' })
    expect(check(results, ns, 'client', 'UDP')).toMatchObject({ port: 5353, predicted: 'allowed', observed: 'allowed' })
    expect(check(results, ns, 'other', 'TCP')).toMatchObject({ predicted: 'denied', verdict: 'agree' })
    expect(check(results, ns, 'other', 'UDP')).toMatchObject({ predicted: 'denied', verdict: 'agree' })
    expect(['blocked', 'refused']).toContain(check(results, ns, 'other', 'UDP').observed)
    await waitFor(async () => (await runObjectsLeft(ns)).length === 0, { timeoutMs: 30_000, description: 'the run objects to be gone' })
  })

  it('a node that rejects what the policy allows is over-enforced, refusal and all (kube-router too)', async () => {
    // The rule lasts the whole run: a settle period would only re-probe the refusal (--settle 2s here and below).
    const { code, results } = await withNodeRule('tcp dport 8080 reject with tcp reset', () => probe(ns, '--target', 'stand-ins', '--settle', '2s'))
    expect(check(results, ns, 'client', 'TCP')).toMatchObject({ predicted: 'allowed', observed: 'refused', verdict: 'over-enforced' })
    expect(check(results, ns, 'other', 'TCP')).toMatchObject({ verdict: 'agree' })
    expect(code).toBe(1)
  })

  it('a node that drops what the policy allows is over-enforced after the re-checks, beside a prompt control', async () => {
    const { code, results } = await withNodeRule('udp dport 5353 drop', () => probe(ns, '--target', 'stand-ins', '--settle', '8s'))
    expect(check(results, ns, 'client', 'UDP')).toMatchObject({ predicted: 'allowed', observed: 'blocked', verdict: 'over-enforced' })
    expect(check(results, ns, 'client', 'TCP')).toMatchObject({ observed: 'allowed', verdict: 'agree' })
    expect(code).toBe(1)
  })

  it('--target both names the port the application does not listen on', async () => {
    const { results, report } = await probe(ns, '--target', 'both', '--settle', '2s')
    // The real pod refuses on 8080 while its stand-in is reached: the application, not the policy.
    expect(check(results, ns, 'client', 'TCP', false)).toMatchObject({ observed: 'refused' })
    expect(check(results, ns, 'client', 'TCP', true)).toMatchObject({ observed: 'allowed', verdict: 'agree' })
    expect(report.targetDifferences).toEqual([expect.objectContaining({
      from: `${ns}/client`, to: `${ns}/api`, protocol: 'TCP', standIn: 'allowed', pod: 'refused',
      finding: expect.stringMatching(/the application does not listen on TCP 8080/),
    })])
    expect(report.diagnoses).toEqual(expect.arrayContaining([expect.stringMatching(/client → .*api TCP\/8080: .*does not listen on TCP 8080/)]))
  })

  it('falls back to the real pod, and says so, where a Service publishing not-ready addresses selects the destination', async () => {
    const { core } = kubeClients()
    await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'peers' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'api' }, ports: [{ port: 8080 }] } } })
    try {
      const { results, stderr } = await probe(ns, '--target', 'stand-ins', '--settle', '2s')
      expect(results.filter((r) => r.standIn)).toEqual([])
      expect(check(results, ns, 'client', 'UDP', false)).toMatchObject({ observed: 'unverifiable' })
      expect(stderr).toMatch(/api: dialled the real pod, not a stand-in: Service .*\/peers publishes not-ready addresses/)
    } finally {
      await core.deleteNamespacedService({ namespace: ns, name: 'peers' })
    }
  })
})
