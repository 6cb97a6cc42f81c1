// The admin tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy; policy.networking.k8s.io/v1alpha1)
// on the real cluster: `up` installs their CRDs. kube-network-policies enforces them
// (`--admin-network-policy --baseline-admin-network-policy`): the probe must agree with the
// prediction. kube-router does not: the probe must report exactly the admin-decided denials as
// under-enforced, named as the known deviation.
import * as k8s from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiStatus, clusterAvailable, createPodAndWait, createTestNamespace, deleteNamespace, enforcerMode, kubeClients, policiesEnforced, serverPod,
} from './support/cluster.js'
import { runCli } from './support/cli.js'

const GROUP = 'policy.networking.k8s.io'
const VERSION = 'v1alpha1'

interface World {
  id: string
  x: string
  y: string
  z: string
}

interface Row {
  from: string
  to: string
  port: number
  predicted: string
  observed: string
  verdict: string
  knownDeviation?: string
}

/**
 * Namespaces x, y, z (each labelled with the world's id, so the cluster-scoped policies select
 * nothing else), one server `a` in each on 80 and 81, and:
 *   - NetworkPolicy x/allow-y-z: x admits y and z;
 *   - ANP priority 5, subject y: egress Deny to z on 81;
 *   - ANP priority 7, subject x: ingress Deny from z on the named port serve-81 (kube-network-policies
 *     looks the name up on the source pod, so there it goes through: a known deviation);
 *   - ANP priority 10, subject x: ingress Deny from y on 80 (overrides the NetworkPolicy allow);
 *   - ANP priority 20, subject all three: ingress Pass from z (skips the Allow below);
 *   - ANP priority 30, subject all three: ingress Allow from the world;
 *   - BANP default, subject all three: ingress Deny from the world (below the NetworkPolicy of x).
 */
async function createWorld(): Promise<World> {
  const id = Math.random().toString(36).slice(2, 8)
  const label = 'netpol-e2e-anp'
  const [x, y, z] = await Promise.all(['x', 'y', 'z'].map((role) => createTestNamespace(`anp-${role}`, { [label]: id, role })))
  const server = (namespace: string) => {
    const pod = serverPod({ namespace, name: 'a', port: 80, labels: { pod: 'a' } })
    pod.spec!.containers[0].command = ['bash', '-c', 'socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hi" & socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:"echo hi" & wait']
    pod.spec!.containers[0].ports = [80, 81].map((port) => ({ name: `serve-${port}`, containerPort: port, protocol: 'TCP' }))
    return createPodAndWait(pod)
  }
  await Promise.all([server(x), server(y), server(z)])
  const { net } = kubeClients()
  await net.createNamespacedNetworkPolicy({
    namespace: x,
    body: ObjectSerializer.deserialize({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-y-z' },
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['y', 'z'] }], matchLabels: { [label]: id } } }] }] },
    }, 'V1NetworkPolicy', ''),
  })
  const world = { matchLabels: { [label]: id } }
  const role = (name: string) => ({ matchLabels: { [label]: id, role: name } })
  const custom = kubeClients().kc.makeApiClient(k8s.CustomObjectsApi)
  const create = (plural: string, name: string, spec: object) =>
    custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural, body: { apiVersion: `${GROUP}/${VERSION}`, kind: plural === 'adminnetworkpolicies' ? 'AdminNetworkPolicy' : 'BaselineAdminNetworkPolicy', metadata: { name, labels: { [label]: id } }, spec } })
  await create('adminnetworkpolicies', `e2e-${id}-y-egress`, { priority: 5, subject: { namespaces: role('y') }, egress: [{ name: 'no-z-81', action: 'Deny', to: [{ namespaces: role('z') }], ports: [{ portNumber: { protocol: 'TCP', port: 81 } }] }] })
  await create('adminnetworkpolicies', `e2e-${id}-x-named`, { priority: 7, subject: { namespaces: role('x') }, ingress: [{ name: 'no-z-serve-81', action: 'Deny', from: [{ namespaces: role('z') }], ports: [{ namedPort: 'serve-81' }] }] })
  await create('adminnetworkpolicies', `e2e-${id}-x-deny`, { priority: 10, subject: { namespaces: role('x') }, ingress: [{ name: 'no-y-80', action: 'Deny', from: [{ namespaces: role('y') }], ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] }] })
  await create('adminnetworkpolicies', `e2e-${id}-pass`, { priority: 20, subject: { namespaces: world }, ingress: [{ name: 'pass-z', action: 'Pass', from: [{ namespaces: role('z') }] }] })
  await create('adminnetworkpolicies', `e2e-${id}-allow`, { priority: 30, subject: { namespaces: world }, ingress: [{ name: 'allow-world', action: 'Allow', from: [{ namespaces: world }] }] })
  await create('baselineadminnetworkpolicies', 'default', { subject: { namespaces: world }, ingress: [{ name: 'deny-world', action: 'Deny', from: [{ namespaces: world }] }] })
  return { id, x, y, z }
}

async function deleteWorld(world: World | undefined): Promise<void> {
  if (!world) return
  const custom = kubeClients().kc.makeApiClient(k8s.CustomObjectsApi)
  const remove = (plural: string, name: string) => custom.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural, name })
    .catch((error: unknown) => { if (apiStatus(error) !== 404) throw error })
  await Promise.all([
    ...['y-egress', 'x-named', 'x-deny', 'pass', 'allow'].map((suffix) => remove('adminnetworkpolicies', `e2e-${world.id}-${suffix}`)),
    remove('baselineadminnetworkpolicies', 'default'),
  ])
  await Promise.all([world.x, world.y, world.z].map((ns) => deleteNamespace(ns)))
}

/** The chain's denials between namespaces, by role and port (the table in createWorld's comment). */
const DENIED = new Set(['y->x:80', 'z->x:81', 'y->z:81', 'z->y:80', 'z->y:81'])
/** Denied by a namedPort ingress rule, which kube-network-policies resolves on the source (the probe pod). */
const NAMED_PORT_DENIED = 'z->x:81'
/**
 * What the probe measures adds the pairs within a namespace (a probe pod is not its target): z → z
 * is denied (Pass, then the BANP), x → x allowed by the ANP Allow although the NetworkPolicy of x
 * does not admit x.
 */
const PROBED_DENIED = new Set([...DENIED, 'z->z:80', 'z->z:81'])
const ALLOWED_OVER_NETWORK_POLICY = ['x->x:80', 'x->x:81']

describe.runIf(clusterAvailable() && policiesEnforced())('admin tiers on the real cluster', () => {
  let world: World | undefined
  const roleOf = (endpoint: string) => (['x', 'y', 'z'] as const).find((r) => endpoint.startsWith(`${world![r]}/`))
  beforeAll(async () => { world = await createWorld() }, 180_000)
  afterAll(async () => { await deleteWorld(world) }, 180_000)

  it('predicts the chain: ANP Deny over a NetworkPolicy allow, Pass past a lower ANP Allow, BANP deny below NetworkPolicy', async () => {
    const result = await runCli(['predict', '-n', world!.x, '-n', world!.y, '-n', world!.z, '-o', 'json', '--explain'])
    expect(result.code).toBe(0)
    const matrix = JSON.parse(result.stdout).matrix as Array<{ port: number; from: string; allowed: string[]; denied: string[]; explanations: Record<string, { ingress: { decidedBy?: string } }> }>
    const crossing = matrix.flatMap((r) => [...r.allowed.map((to) => ({ ...r, to, ok: true })), ...r.denied.map((to) => ({ ...r, to, ok: false }))])
      .filter((c) => roleOf(c.from) !== roleOf(c.to))
    expect(crossing).toHaveLength(12)
    for (const c of crossing) expect(c.ok, `${c.from} -> ${c.to}:${c.port}`).toBe(!DENIED.has(`${roleOf(c.from)}->${roleOf(c.to)}:${c.port}`))
    const zToY = crossing.find((c) => roleOf(c.from) === 'z' && roleOf(c.to) === 'y')!
    expect(zToY.explanations[zToY.to].ingress.decidedBy).toBe('BaselineAdminNetworkPolicy/default ingress[0] "deny-world" Deny')
  })

  it.runIf(enforcerMode() === 'kube-network-policies')('kube-network-policies: the probe agrees with every prediction but the namedPort one, named as its known deviation', async () => {
    const result = await runCli(['probe', '-n', world!.x, '-n', world!.y, '-n', world!.z, '--enforcer-hint', 'kube-network-policies', '-o', 'json'])
    const rows = JSON.parse(result.stdout).results as Row[]
    const key = (r: Row) => `${roleOf(r.from)}->${roleOf(r.to)}:${r.port}`
    expect(rows.filter((r) => r.verdict !== 'agree').map((r) => ({ key: key(r), verdict: r.verdict, knownDeviation: r.knownDeviation })))
      .toEqual([{ key: NAMED_PORT_DENIED, verdict: 'under-enforced', knownDeviation: 'kube-network-policies/admin-ingress-named-port-on-source' }])
    expect(rows.filter((r) => r.predicted === 'denied').map(key).sort()).toEqual([...PROBED_DENIED].sort())
    expect(result.code).toBe(1)
  })

  it.runIf(enforcerMode() === 'kube-router')('kube-router: exactly the admin-decided checks disagree, named as the known deviation', async () => {
    // The admin-decided disagreements are permanent on kube-router: a long settle would only re-probe them.
    const result = await runCli(['probe', '-n', world!.x, '-n', world!.y, '-n', world!.z, '--enforcer-hint', 'kube-router', '--settle', '2s', '-o', 'json'])
    const rows = JSON.parse(result.stdout).results as Row[]
    const verdicts = Object.fromEntries(rows.filter((r) => r.verdict !== 'agree').map((r) => [`${roleOf(r.from)}->${roleOf(r.to)}:${r.port}`, r]))
    expect(Object.keys(verdicts).sort()).toEqual([...PROBED_DENIED, ...ALLOWED_OVER_NETWORK_POLICY].sort())
    for (const key of PROBED_DENIED) expect(verdicts[key]).toMatchObject({ verdict: 'under-enforced', knownDeviation: 'kube-router/admin-tiers-not-enforced' })
    // kube-router rejects: a refusal of a connection predicted allowed may also mean that nothing
    // listens, so the probe says `unknown` unless it confirmed the server listens (then over-enforced).
    for (const key of ALLOWED_OVER_NETWORK_POLICY) {
      expect(['over-enforced', 'unknown']).toContain(verdicts[key].verdict)
      expect(verdicts[key].observed).toBe('refused')
    }
    expect(result.code).toBe(1)
  })
})
