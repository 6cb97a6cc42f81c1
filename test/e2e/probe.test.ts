// `kubectl netpol probe` on the real cluster: the enforcer's behaviour is measured, not assumed.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { parseAllDocuments } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  API_SERVER, apiStatus, clusterAvailable, clusterCA, createPodAndWait, createTestNamespace, deleteNamespace, enforcerMode, kubeClients,
  policiesEnforced, runsEnforcerIndependentTests, serverPod, waitFor,
} from './support/cluster.js'
import { runCli, startCli } from './support/cli.js'
import { isStandIn, watchProbePods } from './support/probe-pods.js'
import { deleteScaleWorld, ensureScaleWorld } from './support/scale-world.js'

const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'
const enforced = clusterAvailable() && policiesEnforced()
const once = runsEnforcerIndependentTests()

interface World {
  x: string
  y: string
}

/**
 * The small world of the issue: namespaces x and y, servers x/a, x/b, y/a on 80 and 81, and four
 * kinds of policy: default deny (x), allow by namespace, a named port, egress to one namespace.
 */
async function createWorld(): Promise<World> {
  const x = await createTestNamespace('probe-x', { role: 'x' })
  const y = await createTestNamespace('probe-y', { role: 'y' })
  const ports = (name: string) => [80, 81].map((port) => ({ name: `serve-${port}`, containerPort: port, protocol: 'TCP' }))
  const server = (namespace: string, name: string) => {
    const pod = serverPod({ namespace, name, port: 80, labels: { pod: name } })
    pod.spec!.containers[0].command = ['bash', '-c', 'socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hi" & socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:"echo hi" & wait']
    pod.spec!.containers[0].ports = ports(name)
    return createPodAndWait(pod)
  }
  await Promise.all([server(x, 'a'), server(x, 'b'), server(y, 'a')])
  // client-node's typed V1NetworkPolicy spells `from` as `_from` and drops a plain `from`, so
  // the manifest goes through its serializer first.
  const { net } = kubeClients()
  const policy = (namespace: string, name: string, spec: object) => net.createNamespacedNetworkPolicy({
    namespace,
    body: ObjectSerializer.deserialize({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec }, 'V1NetworkPolicy', ''),
  })
  await policy(x, 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] })
  await policy(x, 'a-from-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: 'y' } } }], ports: [{ port: 80 }] }] })
  await policy(x, 'b-named-port', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 'serve-81' }] }] })
  await policy(y, 'egress-to-x', {
    podSelector: {}, policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { role: 'x' } } }] }, { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
  })
  return { x, y }
}

/** Objects of any kubectl-netpol run left in the given namespaces (other suites may run their own elsewhere). */
async function runObjectsLeft(...namespaces: string[]): Promise<string[]> {
  const { core } = kubeClients()
  const lists = await Promise.all(namespaces.flatMap((namespace) => [
    core.listNamespacedPod({ namespace, labelSelector: RUN_ID_LABEL }).then((l) => l.items.filter((p) => !p.metadata?.deletionTimestamp)),
    core.listNamespacedConfigMap({ namespace, labelSelector: RUN_ID_LABEL }).then((l) => l.items),
    kubeClients().apps.listNamespacedDeployment({ namespace, labelSelector: RUN_ID_LABEL }).then((l) => l.items),
  ]))
  return lists.flat().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)
}

describe.runIf(clusterAvailable())('probe on the real cluster', () => {
  let world: World
  beforeAll(async () => { world = await createWorld() }, 180_000)
  afterAll(async () => { await Promise.all([deleteNamespace(world.x), deleteNamespace(world.y)]) }, 180_000)

  it.runIf(enforced)('with an enforcer: exit 0 and every check agrees', async () => {
    const result = await runCli(['probe', '-n', world.x, '-n', world.y, '-o', 'json'])
    expect(result.stderr).not.toMatch(/^error/m)
    const report = JSON.parse(result.stdout)
    expect(report.results.filter((r: { verdict: string }) => r.verdict !== 'agree')).toEqual([])
    expect(result.code).toBe(0)
    // The world has real denials, so agreement is not trivial: y/a → x/b:80 is denied by the default deny.
    const denied = report.results.filter((r: { predicted: string }) => r.predicted === 'denied')
    expect(denied.length).toBeGreaterThan(5)
    expect(report.results.find((r: { from: string; to: string; port: number }) => r.from === `${world.y}/a` && r.to === `${world.x}/b` && r.port === 80))
      .toMatchObject({ predicted: 'denied', verdict: 'agree' })
    expect(await runObjectsLeft(world.x, world.y)).toEqual([])
  })

  it.runIf(clusterAvailable() && !policiesEnforced())('without an enforcer: exit 1, denials reported under-enforced, and the CNI diagnosis', async () => {
    const result = await runCli(['probe', '-n', world.x, '-n', world.y, '--settle', '3s'])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/UNDER-ENFORCED \(\d+\)/)
    // probe dials the destination's stand-in by default; the finding says so.
    expect(result.stdout).toContain(`${world.y}/a → ${world.x}/b (stand-in) TCP/80: observed allowed via`)
    expect(result.stdout).toMatch(/predicted denied by [^\n]*\/default-deny[^\n]* ingress \(no rule matches\)/)
    expect(result.stdout).toMatch(/the CNI does not appear to enforce NetworkPolicy/)
    expect(result.stdout).not.toMatch(/OVER-ENFORCED \(/)
  })

  it('--junit writes one testcase per check', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'junit-')), 'probe.xml')
    const result = await runCli(['probe', '-n', world.x, '--port', '80', '--junit', file, '--settle', '2s'])
    const xml = readFileSync(file, 'utf8')
    // stderr is a pipe here, as in CI: the plain progress lines carry the tally.
    expect(result.stderr).toMatch(/^› Probing: \d+\/\d+ sources, \d+\/\d+ checks, round \d+\/\d+ \(window \d+ probe pods\)/m)
    expect(xml).toMatch(/<testsuite name="kubectl-netpol probe" tests="\d+"/)
    expect((xml.match(/<testcase /g) ?? []).length).toBe(Number(/tests="(\d+)"/.exec(xml)?.[1]))
    if (enforced) {
      expect(result.code).toBe(0)
      expect(xml).not.toContain('<failure')
    } else {
      expect(result.code).toBe(1)
      expect(xml).toContain('<failure type="under-enforced"')
    }
  })

  it.runIf(once)('live predict reads the same world and predicts the same denials', async () => {
    const result = await runCli(['predict', '-n', world.x, '-n', world.y, '--port', '80', '-o', 'json', '--all-pods'])
    expect(result.code).toBe(0)
    const denied = JSON.parse(result.stdout).results.filter((r: { allowed: boolean }) => !r.allowed).map((r: { from: string; to: string }) => `${r.from}->${r.to}`)
    expect(denied).toContain(`${world.y}/a->${world.x}/b`)
    expect(denied).not.toContain(`${world.y}/a->${world.x}/a`)
  })

  it.runIf(enforced)('--service dials the Service by name; --external checks egress to an address outside the pods', async () => {
    const { core } = kubeClients()
    await core.createNamespacedService({ namespace: world.x, body: { metadata: { name: 'web' }, spec: { selector: { pod: 'a' }, ports: [{ port: 8080, targetPort: 80 as unknown as k8s.IntOrString }] } } })
    const viaService = JSON.parse((await runCli(['probe', '-n', world.x, '-n', world.y, '--service', '--port', '80', '--to', `${world.x}/a`, '-o', 'json'])).stdout)
    expect(new Set(viaService.results.map((r: { target: string }) => r.target))).toEqual(new Set([`web.${world.x}.svc.cluster.local:8080`]))
    expect(viaService.results.filter((r: { verdict: string }) => r.verdict === 'over-enforced' || r.verdict === 'unknown')).toEqual([])
    // The node address answers on the kubelet port; no egress policy isolates x, so it is allowed.
    const external = JSON.parse((await runCli(['probe', '-n', world.x, '--from', `${world.x}/b`, '--to', `${world.x}/b`, '--port', '80', '--external', '198.18.0.1:10250', '-o', 'json'])).stdout)
    expect(external.results.find((r: { to: string }) => r.to === '198.18.0.1')).toMatchObject({ predicted: 'allowed', observed: 'allowed', verdict: 'agree' })
  })

  it.runIf(enforced)('--mode ephemeral probes from an ephemeral container in the source pod itself (a pod to itself is loopback there)', async () => {
    const result = await runCli(['probe', '-n', world.x, '-n', world.y, '--mode', 'ephemeral', '--port', '80', '-o', 'json'])
    expect(result.stderr).toMatch(/ephemeral containers stay in the pod spec/)
    const report = JSON.parse(result.stdout)
    expect(report.results.filter((r: { verdict: string }) => r.verdict !== (enforced ? 'agree' : 'under-enforced') && r.verdict !== 'agree')).toEqual([])
    expect(result.code).toBe(enforced ? 0 : 1)
    const pod = await kubeClients().core.readNamespacedPod({ namespace: world.y, name: 'a' })
    expect(pod.spec?.ephemeralContainers?.map((c) => c.name)).toContain(`netpol-probe-${report.runId}`)
  })

  it.runIf(once)('concurrent runs do not collide', async () => {
    const [one, two] = await Promise.all([0, 1].map(() => runCli(['probe', '-n', world.x, '-n', world.y, '--port', '80', '-o', 'json'])))
    const reports = [one, two].map((r) => JSON.parse(r.stdout))
    expect(reports[0].runId).not.toBe(reports[1].runId)
    expect([one.code, two.code]).toEqual(enforced ? [0, 0] : [1, 1])
    expect(await runObjectsLeft(world.x, world.y)).toEqual([])
  })

  it.runIf(once)('SIGINT during a run removes every probe pod and run object; cleanup then has nothing to do', async () => {
    const run = startCli(['probe', '-n', world.x, '-n', world.y, '--start-timeout', '60s'])
    const { core } = kubeClients()
    const runId = await waitFor(async () => (await core.listNamespacedConfigMap({ namespace: world.x, labelSelector: RUN_ID_LABEL })).items[0]?.metadata?.labels?.[RUN_ID_LABEL],
      { timeoutMs: 60_000, intervalMs: 200, description: 'probe objects to appear' })
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code).toBe(130)
    expect(await runObjectsLeft(world.x, world.y)).toEqual([])
    const cleanup = await runCli(['cleanup', '--run-id', runId])
    expect(cleanup.code).toBe(0)
    expect(cleanup.stdout).toBe('nothing to clean up\n')
  })
})

describe.runIf(once)('probe pods are safe to run', () => {
  it('are admitted in a namespace that enforces Pod Security "restricted"', async () => {
    const ns = await createTestNamespace('probe-psa', { 'pod-security.kubernetes.io/enforce': 'restricted' })
    try {
      const pod = serverPod({ namespace: ns, name: 'web', port: 8080, labels: { app: 'web' } })
      pod.spec!.containers[0].securityContext = { ...pod.spec!.containers[0].securityContext, seccompProfile: { type: 'RuntimeDefault' } }
      await createPodAndWait(pod)
      const result = await runCli(['probe', '-n', ns, '-o', 'json'])
      const report = JSON.parse(result.stdout)
      expect(report.results.map((r: { observed: string }) => r.observed)).toEqual(['allowed'])
      expect(result.code).toBe(0)
    } finally {
      await deleteNamespace(ns)
    }
  })

  it('never become Service endpoints and are never adopted by the workload controller', async () => {
    const ns = await createTestNamespace('probe-safe')
    const { apps, core, kc } = kubeClients()
    try {
      const labels = { app: 'web' }
      const template = serverPod({ namespace: ns, name: 'web', port: 8080, labels })
      await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: template.spec } } } })
      await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 8080 }] } } })
      await waitFor(async () => (await core.listNamespacedPod({ namespace: ns })).items.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')), { timeoutMs: 90_000, description: 'web ready' })
      // An unused address on the pod bridge answers nothing until ARP gives up: it keeps the probe
      // pod running for a few seconds, long enough to look at it whatever the enforcer.
      const run = startCli(['probe', '-n', ns, '--settle', '0s', '--external', '198.18.255.254:9', '--timeout', '4s', '-o', 'json'])
      const probePod = await waitFor(async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items.find((p) => p.status?.phase === 'Running'), { timeoutMs: 60_000, intervalMs: 200, description: 'probe pod running' })
      const discovery = kc.makeApiClient(k8s.DiscoveryV1Api)
      const slices = await discovery.listNamespacedEndpointSlice({ namespace: ns, labelSelector: 'kubernetes.io/service-name=web' })
      const readyTargets = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.targetRef?.name))
      expect(readyTargets).not.toContain(probePod.metadata?.name)
      expect(probePod.metadata?.ownerReferences?.map((o) => [o.kind, o.controller])).toEqual([['Deployment', true]])
      const owner = await apps.readNamespacedDeployment({ namespace: ns, name: probePod.metadata!.ownerReferences![0].name })
      expect([owner.spec?.replicas, owner.spec?.paused, owner.metadata?.ownerReferences?.[0].kind]).toEqual([0, true, 'ConfigMap'])
      expect((await apps.readNamespacedDeployment({ namespace: ns, name: 'web' })).status?.replicas).toBe(1)
      // The owner never made a ReplicaSet (it is paused): only web's exists.
      expect((await apps.listNamespacedReplicaSet({ namespace: ns })).items.map((r) => r.metadata?.ownerReferences?.[0].name)).toEqual(['web'])
      const result = await run.done
      const report = JSON.parse(result.stdout)
      expect(report.results.find((r: { to: string }) => r.to !== '198.18.255.254')).toMatchObject({ observed: 'allowed', verdict: 'agree' })
      // Nothing answers at the unused address: on the pod bridge its ARP goes unanswered, so no
      // policy saw a packet (elsewhere the timeout cannot be confirmed without settle time and a
      // control). Predicted allowed, never confirmed blocked: unknown (exit 3).
      expect(report.results.find((r: { to: string }) => r.to === '198.18.255.254'))
        .toMatchObject({ verdict: 'unknown', note: expect.stringMatching(/no ARP answer from 198\.18\.255\.254|^inconclusive/) })
      expect(result.code).toBe(3)
    } finally {
      await deleteNamespace(ns)
    }
  })
})

describe.runIf(once)('probe pods do not hold up a node drain', () => {
  it('a PodDisruptionBudget selecting the source keeps allowing the eviction of its workload while the probe pod and a stand-in exist', async () => {
    const ns = await createTestNamespace('probe-pdb')
    const { apps, core, kc } = kubeClients()
    const policy = kc.makeApiClient(k8s.PolicyV1Api)
    const labels = { app: 'web' }
    const allowed = async () => (await policy.readNamespacedPodDisruptionBudget({ namespace: ns, name: 'web' })).status?.disruptionsAllowed
    const workloadPod = async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items
      .find((p) => !p.metadata?.labels?.[RUN_ID_LABEL] && p.metadata?.name?.startsWith('web-') && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    const evict = async (name: string, dryRun?: string) => core.createNamespacedPodEviction({ namespace: ns, name, dryRun, body: { metadata: { namespace: ns, name } } })
      .then(() => 'evicted', (error) => `refused (${apiStatus(error)})`)
    try {
      const template = serverPod({ namespace: ns, name: 'web', port: 8080, labels })
      await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: template.spec } } } })
      await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } } })
      await waitFor(async () => (await allowed()) === 1, { timeoutMs: 90_000, description: 'the PDB allows one disruption' })
      // The hazard, shown first so that this test can fail: a pod with the workload's labels whose
      // controller is a ConfigMap (as probe pods had) makes the budget allow no eviction at all.
      const configMap = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'owner' } } })
      const ownedByConfigMap = serverPod({ namespace: ns, name: 'owned-by-configmap', port: 9, labels })
      ownedByConfigMap.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: configMap.metadata!.uid!, controller: true }]
      await createPodAndWait(ownedByConfigMap)
      await waitFor(async () => (await allowed()) === 0, { timeoutMs: 30_000, description: 'the PDB blocks evictions' })
      expect(await evict((await workloadPod())!.metadata!.name!, 'All')).toBe('refused (429)')
      await core.deleteNamespacedPod({ namespace: ns, name: 'owned-by-configmap', gracePeriodSeconds: 0 })
      await waitFor(async () => (await allowed()) === 1, { timeoutMs: 30_000, description: 'the PDB allows one disruption again' })

      // An unused address answers no ARP: re-checked for the settle period, so the probe pod lives ~20 s.
      const run = startCli(['probe', '-n', ns, '--settle', '20s', '--external', '198.18.255.254:9', '-o', 'json'])
      await waitFor(async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items.find((p) => p.status?.phase === 'Running' && !isStandIn(p)), { timeoutMs: 60_000, intervalMs: 200, description: 'probe pod running' })
      // The disruption controller reacts to the new pod within milliseconds; give it a few seconds.
      await new Promise((resolve) => setTimeout(resolve, 3000))
      expect(await allowed()).toBe(1)
      const web = (await workloadPod())!.metadata!.name!
      expect(await evict(web)).toBe('evicted')
      // Both the source's probe pod and the destination's stand-in carry app=web, so the budget selects both.
      const runPods = (await core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items
      expect(runPods.map((p) => (isStandIn(p) ? 'stand-in' : 'probe pod')).sort()).toEqual(['probe pod', 'stand-in'])
      expect(runPods.every((p) => p.metadata?.labels?.app === 'web')).toBe(true)
      const result = await run.done
      expect(result.code).not.toBe(70)
      expect(JSON.parse(result.stdout).summary.checks).toBe(2)
      expect(await runObjectsLeft(ns)).toEqual([])
    } finally {
      await deleteNamespace(ns)
    }
  })
})

describe.runIf(clusterAvailable())('faults in the middle of a run stay honest', () => {
  // Two sources taking turns through a window of one probe pod. The unused address answers no ARP,
  // so it is re-checked for the settle period: each source's probe pod lives that long (15 s by
  // default here), long enough to break something under it.
  let ns: string
  const run = (settle = '15s') => startCli(['probe', '-n', ns, '--external', '198.18.255.254:9', '--settle', settle, '--max-probe-pods', '1', '-o', 'json'], { timeoutMs: 170_000 })
  const runningProbePod = () => waitFor(async () => (await kubeClients().core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items
    .find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp), { timeoutMs: 60_000, intervalMs: 200, description: 'a probe pod running' })
  interface Row { from: string; to: string; verdict: string; observed: string; note?: string }
  /** No verdict the outage could have made up: every check agrees or is unknown with a reason. */
  const honest = (rows: Row[]) => rows.filter((r) => !(r.verdict === 'agree' || (r.verdict === 'unknown' && r.note)))

  beforeAll(async () => {
    ns = await createTestNamespace('probe-faults')
    await Promise.all(['web', 'db'].map((name) => createPodAndWait(serverPod({ namespace: ns, name, port: 8080, labels: { app: name } }))))
  }, 120_000)
  afterAll(async () => deleteNamespace(ns), 120_000)

  it('a probe pod deleted under the run: its source\'s remaining checks are unknown with the reason, the other source is measured', async () => {
    // The victim is deleted ~2 s into its ~8 s life (a 2 s check, then 6 s of settle); once the
    // probe finds its pod gone it stops re-checking that source, so the run does not wait out the
    // settle period for it.
    const probe = run('6s')
    const victim = await runningProbePod()
    const source = victim.metadata!.annotations!['netpol.kubectl.io/source']
    await new Promise((resolve) => setTimeout(resolve, 2000))
    await kubeClients().core.deleteNamespacedPod({ namespace: ns, name: victim.metadata!.name!, gracePeriodSeconds: 0 })
    const result = await probe.done
    const rows: Row[] = JSON.parse(result.stdout).results
    expect(rows).toHaveLength(2 * 3)
    expect(honest(rows)).toEqual([])
    expect(rows.filter((r) => r.from === source && r.to === '198.18.255.254'))
      .toMatchObject([{ verdict: 'unknown', note: expect.stringMatching(/the probe pod \S+ was (being )?deleted/) }])
    expect(rows.filter((r) => r.from !== source && r.to !== '198.18.255.254').map((r) => r.verdict)).toEqual(['agree', 'agree'])
    expect(result.code).toBe(3)
    expect(await runObjectsLeft(ns)).toEqual([])
  }, 180_000)

  // The harness runs kube-apiserver as a process (test/cluster/apiserver.sh stops and starts it
  // alone): every exec stream of the run drops with it, and nothing can be created or deleted.
  it('the API server stopped and restarted during the run: a report still comes, no verdict is made up, nothing is left', async () => {
    const apiserver = (action: string) => execFileSync('bash', [path.join(import.meta.dirname, '../cluster/apiserver.sh'), action], { stdio: 'ignore', timeout: 150_000 })
    const probe = run()
    await runningProbePod()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    try {
      apiserver('stop')
      await new Promise((resolve) => setTimeout(resolve, 8000))
    } finally {
      apiserver('start')
    }
    const result = await probe.done
    expect(result.code).not.toBe(70)
    const report = JSON.parse(result.stdout)
    expect(report.results).toHaveLength(2 * 3)
    expect(honest(report.results)).toEqual([])
    if (/kubectl netpol cleanup --run-id/.test(result.stderr + JSON.stringify(report.notes))) {
      expect((await runCli(['cleanup', '--run-id', report.runId])).code).toBe(0)
    }
    await waitFor(async () => (await runObjectsLeft(ns)).length === 0, { timeoutMs: 30_000, description: 'no run objects left' })
  }, 180_000)
})

describe.runIf(once)('least privilege', () => {
  let ns: string
  let dir: string
  beforeAll(async () => {
    ns = await createTestNamespace('probe-rbac')
    await createPodAndWait(serverPod({ namespace: ns, name: 'web', port: 8080, labels: { app: 'web' } }))
    dir = mkdtempSync(path.join(tmpdir(), 'rbac-'))
    const { objects } = kubeClients()
    for (const doc of parseAllDocuments(readFileSync(path.join(import.meta.dirname, '../../deploy/rbac.yaml'), 'utf8'))) {
      const body = doc.toJS() as k8s.KubernetesObject
      // Replaced when it exists: an older version of the manifest may be installed on the shared cluster.
      await objects.create(body).catch((e: { code?: number }) => (e.code === 409 ? objects.replace(body) : Promise.reject(e)))
    }
    const { rbac } = kubeClients()
    const subject = (user: string) => [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }]
    for (const user of [`prober-${ns}`, `reader-${ns}`]) {
      await rbac.createClusterRoleBinding({ body: { metadata: { name: `read-${user}` }, roleRef: { kind: 'ClusterRole', name: 'kubectl-netpol-reader', apiGroup: 'rbac.authorization.k8s.io' }, subjects: subject(user) } })
    }
    await rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'probe' }, roleRef: { kind: 'ClusterRole', name: 'kubectl-netpol-prober', apiGroup: 'rbac.authorization.k8s.io' }, subjects: subject(`prober-${ns}`) } })
  }, 180_000)
  afterAll(async () => {
    const { rbac } = kubeClients()
    for (const user of [`prober-${ns}`, `reader-${ns}`]) await rbac.deleteClusterRoleBinding({ name: `read-${user}` }).catch(() => undefined)
    await deleteNamespace(ns)
  }, 180_000)

  function kubeconfigFor(user: string): string {
    const { certPath, keyPath } = clusterCA()
    const key = path.join(dir, `${user}.key`)
    const csr = path.join(dir, `${user}.csr`)
    const crt = path.join(dir, `${user}.crt`)
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${user}`], { stdio: 'ignore' })
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', certPath, '-CAkey', keyPath, '-CAcreateserial', '-out', crt, '-days', '1'], { stdio: 'ignore' })
    const file = path.join(dir, `${user}.kubeconfig`)
    const kc = new k8s.KubeConfig()
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: API_SERVER, caData: readFileSync(certPath).toString('base64') }],
      users: [{ name: user, certData: readFileSync(crt).toString('base64'), keyData: readFileSync(key).toString('base64') }],
      contexts: [{ name: 'test', cluster: 'test', user }],
      currentContext: 'test',
    })
    writeFileSync(file, kc.exportConfig())
    return file
  }

  it('a user bound only to the shipped RBAC manifest can run probe', async () => {
    const result = await runCli(['probe', '-n', ns, '--kubeconfig', kubeconfigFor(`prober-${ns}`), '-o', 'json'])
    expect(result.stderr).not.toMatch(/^error/m)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).summary.agree).toBe(1)
  })

  it('a user without create pods gets exit 2 and the missing permission by name, and nothing is created', async () => {
    const result = await runCli(['probe', '-n', ns, '--kubeconfig', kubeconfigFor(`reader-${ns}`)])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`permission denied: missing .*create pods in ${ns}`))
    expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1)
    expect(await runObjectsLeft(ns)).toEqual([])
  })
})

describe.runIf(once)('probes that cannot run are unknown, never blocked', () => {
  let ns: string
  beforeAll(async () => {
    ns = await createTestNamespace('probe-unknown')
    await createPodAndWait(serverPod({ namespace: ns, name: 'web', port: 8080, labels: { app: 'web' } }))
  }, 120_000)
  afterAll(async () => deleteNamespace(ns), 120_000)

  it('an image that cannot be pulled: checks unknown, diagnosis names it, exit 3', async () => {
    const result = await runCli(['probe', '-n', ns, '--image', 'registry.invalid/netpol/missing:1', '--start-timeout', '60s', '-o', 'json'])
    const report = JSON.parse(result.stdout)
    expect(report.results.map((r: { verdict: string; observed: string }) => [r.verdict, r.observed])).toEqual([['unknown', 'unknown']])
    expect(report.diagnoses.join('\n')).toMatch(/image could not be pulled/)
    expect(result.code).toBe(3)
    expect(await runObjectsLeft(ns)).toEqual([])
  })

  it('a probe pod that cannot be scheduled: unknown after --start-timeout, exit 3', async () => {
    const { core } = kubeClients()
    const node = (await core.listNode()).items[0]
    const taints = node.spec?.taints ?? []
    const setTaints = (list: k8s.V1Taint[]) => core.patchNode({ name: node.metadata!.name!, body: { spec: { taints: list } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))
    await setTaints([...taints, { key: 'netpol-e2e/blocked', value: 'true', effect: 'NoSchedule' }])
    try {
      const result = await runCli(['probe', '-n', ns, '--start-timeout', '5s', '-o', 'json'])
      const report = JSON.parse(result.stdout)
      expect(report.summary.unknown).toBe(report.summary.checks)
      expect(report.diagnoses.join('\n')).toMatch(/not scheduled/)
      expect(result.code).toBe(3)
    } finally {
      await setTaints(taints)
    }
  })
})

describe.runIf(enforced)('a world larger than the probe-pod window', () => {
  // 8 sources and 8 destination classes through a window of 4 (stand-ins take up to half of it):
  // both take turns. Each turn starts and deletes probe pods, so more namespaces add time, not coverage.
  const WINDOW = 4
  const NAMESPACES = 4
  let namespaces: string[]
  beforeAll(async () => { namespaces = await ensureScaleWorld(NAMESPACES) }, 300_000)
  afterAll(async () => deleteScaleWorld(), 300_000)

  it('every check is measured and agrees, and there are never more probe pods than the window', async () => {
    const pods = await watchProbePods(namespaces)
    const result = await runCli(['probe', ...namespaces.flatMap((n) => ['-n', n]), '--max-probe-pods', String(WINDOW), '-o', 'json'])
    const peak = pods.stop()
    const report = JSON.parse(result.stdout)
    expect(report.summary.checks).toBe((2 * NAMESPACES) ** 2)
    expect(report.results.filter((r: { observed: string }) => !['allowed', 'blocked', 'refused'].includes(r.observed))).toEqual([])
    expect(report.results.filter((r: { verdict: string }) => r.verdict !== 'agree')).toEqual([])
    expect(result.code).toBe(0)
    expect(peak.present).toBeGreaterThan(0)
    expect(peak.present).toBeLessThanOrEqual(WINDOW)
    expect(await runObjectsLeft(...namespaces)).toEqual([])
  })
})

const mode = clusterAvailable() ? enforcerMode() : undefined

describe.runIf(enforced)('known enforcer deviations', () => {
  // One policy selects a and b for both directions: ingress on 80 from anyone (no `from`), no
  // egress at all. The API denies a → b (both sides must allow a connection, and a's egress does
  // not) and a → the node's address.
  let ns: string
  beforeAll(async () => {
    ns = await createTestNamespace('probe-deviation')
    await Promise.all(['a', 'b'].map((name) => createPodAndWait(serverPod({ namespace: ns, name, port: 80, labels: { pod: name } }))))
    await kubeClients().objects.create({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'both-ways', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 80 }] }] },
    } as k8s.KubernetesObject)
  }, 180_000)
  afterAll(async () => deleteNamespace(ns), 180_000)

  /** a → b:80, and a → the node's address (kubelet port), which a's egress denies as well. */
  const probeFromA = async () => {
    const hint = mode === 'kube-router' || mode === 'kube-network-policies' ? ['--enforcer-hint', mode] : []
    const result = await runCli(['probe', '-n', ns, '--from', `${ns}/a`, '--to', `${ns}/b`, '--port', '80', '--external', '198.18.0.1:10250', '--settle', '3s', ...hint, '-o', 'json'])
    const results: Array<{ to: string; knownDeviation?: string }> = JSON.parse(result.stdout).results
    return { result, toB: results.find((r) => r.to === `${ns}/b`), toNode: results.find((r) => r.to === '198.18.0.1') }
  }

  it.runIf(mode === 'kube-router')('kube-router lets a → b through and names the deviation; it blocks a → node', async () => {
    const { result, toB, toNode } = await probeFromA()
    expect(toB).toMatchObject({ predicted: 'denied', observed: 'allowed', verdict: 'under-enforced', knownDeviation: 'kube-router/ingress-rule-lets-selected-pods-out' })
    expect((toB as { note?: string }).note).toMatch(/^known kube-router deviation/)
    expect(toNode).toMatchObject({ predicted: 'denied', verdict: 'agree' })
    expect(result.code).toBe(1)
  })

  it.runIf(mode === 'kube-network-policies')('kube-network-policies blocks a → b as the API says; a → node goes through, named as its deviation', async () => {
    const { result, toB, toNode } = await probeFromA()
    expect(toB).toMatchObject({ predicted: 'denied', observed: 'blocked', verdict: 'agree' })
    expect(toB?.knownDeviation).toBeUndefined()
    expect(toNode).toMatchObject({ predicted: 'denied', observed: 'allowed', verdict: 'under-enforced', knownDeviation: 'kube-network-policies/node-address-unfiltered' })
    expect(result.code).toBe(1)
  })
})
