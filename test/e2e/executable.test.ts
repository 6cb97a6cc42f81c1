// `probe` from the single-file executable (npm run package) with no Node.js on PATH, on the real
// cluster: the bundle talks to the API server, execs into its probe pods and cleans up like
// `node bin/run.js` does. Runs when build/package/ exists (in .ci/run it does).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executablePath, hostTarget } from '../../scripts/package/targets.js'
import {
  clusterAvailable, createPodAndWait, createTestNamespace, deleteNamespace, kubeClients, kubeconfigPath, policiesEnforced, serverPod,
} from './support/cluster.js'

const host = hostTarget()
const EXE = host ? executablePath(host) : ''

describe.skipIf(!clusterAvailable() || !existsSync(EXE))('probe from the single-file executable', () => {
  let ns: string
  beforeAll(async () => {
    ns = await createTestNamespace('exe')
    await Promise.all(['a', 'b'].map((name) => createPodAndWait(serverPod({ namespace: ns, name, port: 80, labels: { pod: name } }))))
    await kubeClients().net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: { metadata: { name: 'a-deny-ingress' }, spec: { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] } },
    })
  })
  afterAll(async () => { if (ns) await deleteNamespace(ns) })

  it('measures b -> a as the enforcer decides and leaves nothing behind', async () => {
    const r = spawnSync(EXE, ['probe', '-n', ns, '--port', '80', '-o', 'json', '--kubeconfig', kubeconfigPath()], {
      encoding: 'utf8', env: { PATH: '/nonexistent', HOME: '/nonexistent' }, timeout: 150_000,
    })
    const report = JSON.parse(r.stdout)
    const ba = report.results.find((x: { from: string; to: string }) => x.from === `${ns}/b` && x.to === `${ns}/a`)
    expect(ba.predicted).toBe('denied')
    if (policiesEnforced()) {
      expect(ba.verdict).toBe('agree')
      expect(r.status).toBe(0)
    } else {
      expect(ba).toMatchObject({ observed: 'allowed', verdict: 'under-enforced' })
      expect(r.status).toBe(1)
    }
    const left = await kubeClients().core.listNamespacedPod({ namespace: ns, labelSelector: 'netpol.kubectl.io/run-id' })
    expect(left.items.filter((p) => !p.metadata?.deletionTimestamp)).toEqual([])
  })
})
