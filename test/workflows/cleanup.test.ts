// `cleanup` over the in-memory FakeKube (test/support/fake-kube.ts): the fake exists to hold the
// leftovers of several interrupted runs at once, which the real cluster has only by accident.
// test/e2e/probe.test.ts (SIGINT, then cleanup has nothing to do) is the proof against a real cluster.
import { describe, expect, it } from 'vitest'
import type { WireObject } from '../../src/kube/client.js'
import { RUN_ID_LABEL } from '../../src/model/cluster.js'
import { cleanupRuns } from '../../src/workflows/cleanup.js'
import { FakeKube } from '../support/fake-kube.js'

const left = (kind: 'Pod' | 'ConfigMap', namespace: string, name: string, runId?: string): WireObject =>
  ({ apiVersion: 'v1', kind, metadata: { name, namespace, labels: runId ? { [RUN_ID_LABEL]: runId } : { app: name } } })

function leftovers(): FakeKube {
  return new FakeKube().add(
    left('Pod', 'shop', 'netpol-probe-a1', 'r1'), left('ConfigMap', 'shop', 'netpol-run-r1', 'r1'),
    left('Pod', 'db', 'netpol-probe-b2', 'r2'), left('ConfigMap', 'db', 'netpol-run-r2', 'r2'),
    left('Pod', 'shop', 'web'),
  )
}

describe('cleanup', () => {
  it('removes every labelled pod and ConfigMap of every run, and nothing else', async () => {
    const kube = leftovers()
    const report = await cleanupRuns(kube)
    expect(report.removed.map((o) => `${o.kind} ${o.namespace}/${o.name} ${o.runId}`).sort()).toEqual([
      'ConfigMap db/netpol-run-r2 r2', 'ConfigMap shop/netpol-run-r1 r1', 'Pod db/netpol-probe-b2 r2', 'Pod shop/netpol-probe-a1 r1',
    ])
    expect([...kube.objects.values()].map((o) => o.metadata.name)).toEqual(['web'])
  })

  it('--run-id removes only that run', async () => {
    const kube = leftovers()
    const report = await cleanupRuns(kube, 'r2')
    expect(report.removed.map((o) => o.name).sort()).toEqual(['netpol-probe-b2', 'netpol-run-r2'])
    expect(kube.ofKind('ConfigMap').map((o) => o.metadata.name)).toEqual(['netpol-run-r1'])
  })

  it('reports nothing when nothing is left', async () => {
    expect(await cleanupRuns(new FakeKube())).toEqual({ removed: [] })
  })
})
