// `kubectl netpol scenario run` and `probe --expect` on the real cluster.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clusterAvailable, createPodAndWait, createTestNamespace, deleteNamespace, deniedObservations, kubeClients, policiesEnforced, runsEnforcerIndependentTests,
  serverPod, waitFor,
} from './support/cluster.js'
import { runCli, startCli } from './support/cli.js'

const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'
const SCENARIOS = path.join(import.meta.dirname, '../../scenarios')
const scenario = (name: string) => path.join(SCENARIOS, `${name}.yaml`)
const available = clusterAvailable()
const enforced = available && policiesEnforced()
const once = runsEnforcerIndependentTests()

/** Namespaces of scenario runs that are not on their way out. */
async function liveRunNamespaces(): Promise<string[]> {
  const { core } = kubeClients()
  const list = await core.listNamespace({ labelSelector: RUN_ID_LABEL })
  return list.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!)
}

/** Run namespaces that appeared since `before` and are still there (other runs may come and go meanwhile). */
async function newRunNamespaces(before: string[]): Promise<string[]> {
  return (await liveRunNamespaces()).filter((n) => !before.includes(n))
}

interface Check { from: string; to: string; port: number; protocol: string; expected: string; observed: string; outcome: string }
const checksOf = (report: { scenarios: Array<{ steps: Array<{ checks: Check[] }> }> }) => report.scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks))

describe.runIf(available)('scenario run', () => {
  it.runIf(enforced)('with an enforcer: the tiers, default-deny-both, DNS and egress-to-one-namespace scenarios pass and leave nothing behind', async () => {
    const before = await liveRunNamespaces()
    const started = Date.now()
    // Two runs side by side (each world has namespaces of its own), two scenarios each, one after the other.
    const runs = await Promise.all([['tiers', 'dns-egress'], ['default-deny-both', 'egress-one-namespace']]
      .map((names) => runCli(['scenario', 'run', ...names.map(scenario), '-o', 'json'], { timeoutMs: 300_000 })))
    for (const result of runs) expect(result.stderr).not.toMatch(/^error/m)
    const reports = runs.map((result) => JSON.parse(result.stdout))
    expect(reports.map((r) => r.summary.scenarios)).toEqual([2, 2])
    const report = { scenarios: reports.flatMap((r) => r.scenarios) }
    expect(checksOf(report).filter((c) => c.outcome !== 'pass')).toEqual([])
    expect(runs.map((result) => result.code)).toEqual([0, 0])
    // Agreement is not trivial: denials were measured, DNS lookups among them, and each looks the
    // way this enforcer makes it look (kube-network-policies drops: blocked; kube-router rejects).
    const denied = (c: { observed: string }) => (deniedObservations() as string[]).includes(c.observed)
    expect(checksOf(report).filter((c) => c.expected === 'deny').every(denied)).toBe(true)
    expect(checksOf(report).filter(denied).length).toBeGreaterThan(20)
    expect(checksOf(report).find((c) => c.from === 'frontend' && c.to === 'dns' && c.protocol === 'UDP' && c.expected === 'deny'))
      .toMatchObject({ outcome: 'pass', observed: expect.toBeOneOf(deniedObservations()) })
    expect(checksOf(report)).toContainEqual(expect.objectContaining({ from: 'frontend', to: 'dns', protocol: 'UDP', expected: 'allow', observed: 'allowed' }))
    expect(await newRunNamespaces(before)).toEqual([])
    console.log(`scenario run, 4 scenarios: ${((Date.now() - started) / 1000).toFixed(1)}s`)
  }, 300_000)

  it.runIf(available && !policiesEnforced())('without an enforcer: deny expectations fail with exit 1, naming the under-enforced connections', async () => {
    const result = await runCli(['scenario', 'run', scenario('default-deny-both'), '--settle', '2s'], { timeoutMs: 300_000 })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/FAILED \(\d+\)/)
    expect(result.stdout).toContain('outside -> web TCP/80: under-enforced: expected deny, but the connection went through; expected deny ("* -> app/* deny")')
    expect(result.stdout).toMatch(/the CNI does not appear to enforce NetworkPolicy/)
  }, 300_000)

  it.runIf(once)('a malformed scenario creates nothing, even when other files are fine', async () => {
    const before = await liveRunNamespaces()
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'scenario-')), 'bad.yaml')
    writeFileSync(file, readFileSync(scenario('tiers'), 'utf8').replace('"backend -> db:5432 allow"', '"backnd -> db:5432 allow"'))
    const result = await runCli(['scenario', 'run', scenario('tiers'), file])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`error: ${file}: steps[1].expect[3]: unknown pod "backnd" (known: frontend, backend, db)`)
    expect(await newRunNamespaces(before)).toEqual([])
  })

  it.runIf(once)('--keep leaves the world for inspection: prefixed namespaces keep their labels, policies are rewritten', async () => {
    const result = await runCli(['scenario', 'run', scenario('egress-one-namespace'), '--keep', '-o', 'json', '--settle', '2s'], { timeoutMs: 180_000 })
    const run = JSON.parse(result.stdout).scenarios[0]
    try {
      expect(run.kept).toBe(true)
      const { core, net } = kubeClients()
      const backend = run.namespaces.find((n: string) => n.endsWith('-backend'))
      const ns = await core.readNamespace({ name: backend })
      expect(ns.metadata?.labels).toMatchObject({ [RUN_ID_LABEL]: run.runId, 'netpol.kubectl.io/scenario-namespace': 'backend' })
      const app = run.namespaces.find((n: string) => n.endsWith('-app'))
      const policy = await net.readNamespacedNetworkPolicy({ namespace: app, name: 'egress-to-backend' })
      expect(policy.spec?.egress?.[0].to?.[0].namespaceSelector?.matchLabels).toEqual({ 'kubernetes.io/metadata.name': backend })
      expect((await core.listNamespacedPod({ namespace: app })).items.map((p) => p.metadata?.name)).toEqual(['web'])
    } finally {
      await Promise.all(run.namespaces.map((n: string) => deleteNamespace(n)))
    }
  }, 240_000)

  it.runIf(once)('SIGINT during a run removes the world', async () => {
    const before = await liveRunNamespaces()
    const run = startCli(['scenario', 'run', scenario('tiers')])
    const { core } = kubeClients()
    await waitFor(async () => (await core.listPodForAllNamespaces({ labelSelector: RUN_ID_LABEL })).items.some((p) => !before.includes(p.metadata!.namespace!) && p.metadata?.name === 'db'),
      { timeoutMs: 60_000, intervalMs: 200, description: 'the world\'s pods to appear' })
    run.child.kill('SIGINT')
    const result = await run.done
    expect(result.code).toBe(130)
    expect(await newRunNamespaces(before)).toEqual([])
  }, 120_000)
})

describe.runIf(available)('probe --expect', () => {
  let ns: string
  let dir: string
  beforeAll(async () => {
    ns = await createTestNamespace('expect')
    await Promise.all(['web', 'db'].map((name) => createPodAndWait(serverPod({ namespace: ns, name, port: 8080, labels: { app: name } }))))
    const { objects } = kubeClients()
    await objects.create({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: ns },
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] },
    } as k8s.KubernetesObject)
    dir = mkdtempSync(path.join(tmpdir(), 'expect-'))
  }, 180_000)
  afterAll(async () => { await deleteNamespace(ns) }, 180_000)

  const expectFile = (lines: string[]) => {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, lines.map((l) => `- "${l}"`).join('\n'))
    return file
  }

  it('exit 0 when the measured connections meet the expectations, 1 with a JUnit failure when one is violated', async () => {
    const good = expectFile([`${ns}/* -> ${ns}/app=db deny`, `${ns}/db -> ${ns}/web:8080 allow`])
    const junit = path.join(dir, 'expect.xml')
    const ok = await runCli(['probe', '-n', ns, '--expect', good, '--settle', '2s', '--junit', junit])
    if (enforced) {
      expect(ok.stdout).toMatch(/EXPECTATIONS \(.*\): 3 connection\(s\) covered: 3 pass, 0 violated, 0 unknown/)
      expect(ok.code).toBe(0)
    } else {
      expect(ok.stdout).toContain(`VIOLATED: ${ns}/web -> ${ns}/db TCP/8080: expected deny`)
      expect(ok.code).toBe(1)
    }
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="kubectl-netpol expectations" tests="3"')

    const wrong = expectFile([`${ns}/app=web -> ${ns}/db:8080 allow`])
    const violated = await runCli(['probe', '-n', ns, '--expect', wrong, '--settle', '2s'])
    if (enforced) expect(violated.stdout).toMatch(new RegExp(`VIOLATED: ${ns}/web -> ${ns}/db TCP/8080: expected allow \\("${ns}/app=web -> ${ns}/db:8080 allow"\\), observed (${deniedObservations().join('|')})`))
    // Without an enforcer the expectation holds, but the policy on db is not enforced: still exit 1 (under-enforced).
    expect(violated.code).toBe(1)
  }, 180_000)

  it('an expectation naming no pod in scope is bad input: exit 2 and no probe pod', async () => {
    const typo = expectFile([`${ns}/wbe -> ${ns}/db deny`])
    const result = await runCli(['probe', '-n', ns, '--expect', typo])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${typo}: [0]: unknown pod "${ns}/wbe"`)
    const { core } = kubeClients()
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: RUN_ID_LABEL })).items).toEqual([])
  })
})
