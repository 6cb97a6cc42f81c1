// `kubectl netpol drill` on the real cluster: every shipped drill is started, solved with its own
// reference solution (printed by `drill solution`, applied through the API), checked and reset.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type * as k8s from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { parse, parseAllDocuments } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import { apiStatus, clusterAvailable, kubeClients, policiesEnforced } from './support/cluster.js'
import { runCli, type CliResult } from './support/cli.js'

const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'
const DRILLS = readdirSync(path.join(import.meta.dirname, '../../scenarios/drills')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort()
const available = clusterAvailable()
const enforced = available && policiesEnforced()
// One state directory (hints given) per drill, so that drills running side by side never share a file.
const stateDirs = new Map<string, string>()
const stateOf = (name: string) => stateDirs.get(name) ?? stateDirs.set(name, mkdtempSync(path.join(tmpdir(), 'drill-state-'))).get(name)!
const drill = (args: string[], timeoutMs = 180_000) => runCli(['drill', ...args], { env: { XDG_STATE_HOME: stateOf(args[1]) }, timeoutMs })

/** What `drill solution` prints (it needs no cluster), applied the way `kubectl apply` would: create, or replace what exists. */
async function applySolution(name: string): Promise<void> {
  const bin = path.join(import.meta.dirname, '../../bin/run.js')
  const printed = spawnSync(process.execPath, [bin, 'drill', 'solution', name], { encoding: 'utf8', timeout: 30_000 })
  expect(printed.status, printed.stderr).toBe(0)
  const { objects } = kubeClients()
  for (const document of parseAllDocuments(printed.stdout)) {
    // The typed model spells an ingress rule's `from` as `_from` and would drop a plain `from`.
    const manifest = ObjectSerializer.deserialize(document.toJS(), 'V1NetworkPolicy', '') as k8s.KubernetesObject
    try {
      await objects.create(manifest)
    } catch (error) {
      if (apiStatus(error) !== 409) throw error
      await objects.replace(manifest)
    }
  }
}

/** Namespaces (not on their way out) that a drill created. */
async function drillNamespaces(name: string): Promise<string[]> {
  const list = await kubeClients().core.listNamespace({ labelSelector: `${RUN_ID_LABEL}=drill-${name}` })
  return list.items.map((n) => n.metadata!.name!)
}

function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code)
}

/** For these, `check` before the solution is applied must fail and say what is missing. */
const UNSOLVED: Record<string, string[]> = {
  'default-deny': [
    '✘ forbidden  * -> quiet/* deny   (6 of 6 connection(s) not as required)',
    'visitors/client -> quiet/web TCP/80: forbidden, but the connection still goes through',
    'not isolated: no NetworkPolicy in namespace quiet selects quiet/api for ingress → allowed',
    '1/2 checks pass, 1 fail.',
  ],
  'dns-egress': [
    '✘ required   resolver-app/* -> dns:53/udp allow',
    'frontend -> dns UDP/53: required, but the connection was',
    'isolated by 1 policy: resolver-app/frontend-egress',
  ],
  'isolate-compromised-pod': [
    '✘ forbidden  * -> web-2 deny',
    '✔ required   client -> web-1:80 allow',
    'allowed by production/web-allow-all ingress[0]',
  ],
}

describe.runIf(available)('drill', () => {
  const started = Date.now()
  afterAll(() => console.log(`drill e2e (${enforced ? 'enforced' : 'no enforcer'}): ${((Date.now() - started) / 1000).toFixed(1)}s`))

  it('no two drills share a namespace (so that they can run side by side)', () => {
    const namespaces = DRILLS.flatMap((name) => Object.keys((parse(readFileSync(path.join(import.meta.dirname, '../../scenarios/drills', `${name}.yaml`), 'utf8')) as { world: { namespaces: Record<string, unknown> } })
      .world.namespaces))
    expect(namespaces.length).toBeGreaterThan(DRILLS.length)
    expect(new Set(namespaces).size).toBe(namespaces.length)
  })

  it('check of a drill that is not started exits 2 and says how to start it', async () => {
    expectExit(await drill(['reset', 'port-only']), 0)
    const result = await drill(['check', 'port-only'])
    expectExit(result, 2)
    expect(result.stderr).toContain('error: drill port-only is not started: run `kubectl netpol drill start port-only`')
  })

  // Each drill has namespaces of its own and checks only its own pods, so drills run side by side
  // (maxConcurrency in vitest.e2e.config.ts): most of a drill's time is waiting for pods to start
  // and namespaces to go away.
  it.runIf(enforced).concurrent.each(DRILLS)('%s: start, the reference solution passes check, reset leaves nothing', async (name) => {
    expectExit(await drill(['start', name, '--force']), 0)
    try {
      if (name === 'default-deny') {
        const again = await drill(['start', name])
        expectExit(again, 2)
        expect(again.stderr).toMatch(/drill default-deny is already started \(quiet, visitors exist\).*--force/)
      }
      if (UNSOLVED[name]) {
        // Right after start the enforcer may not have applied the drill's setup policies yet: let check settle.
        // --explain: the full reasoning under each failed check (without it, one line per miss).
        const unsolved = await drill(['check', name, '--settle', '15s', '--explain'])
        expectExit(unsolved, 1)
        for (const line of UNSOLVED[name]) expect(unsolved.stdout).toContain(line)
      }
      await applySolution(name)
      const solved = await drill(['check', name])
      expectExit(solved, 0)
      expect(solved.stdout).toMatch(/(\d+)\/\1 checks pass\./)
    } finally {
      expectExit(await drill(['reset', name]), 0)
    }
    expect(await drillNamespaces(name)).toEqual([])
  }, 240_000)

  it.runIf(available && !policiesEnforced())('without an enforcer: a solved drill still fails, naming the forbidden connections that go through', async () => {
    expectExit(await drill(['start', 'default-deny', '--force']), 0)
    try {
      await applySolution('default-deny')
      const result = await drill(['check', 'default-deny', '--settle', '2s'])
      expectExit(result, 1)
      expect(result.stdout).toContain('visitors/client -> quiet/web TCP/80: forbidden, but the connection still goes through; your policies deny it, so the cluster is not enforcing them (yet)')
      expect(result.stdout).toMatch(/the CNI does not appear to enforce NetworkPolicy/)
    } finally {
      expectExit(await drill(['reset', 'default-deny']), 0)
    }
  }, 240_000)
})
