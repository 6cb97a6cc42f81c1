// kubectl's "No resources found" on the real cluster: an empty namespace in scope is exit 0, and
// probe creates nothing for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './support/cli.js'
import { createTestNamespace, deleteNamespace, kubeClients, runsEnforcerIndependentTests } from './support/cluster.js'

describe.runIf(runsEnforcerIndependentTests())('an empty scope on the cluster', () => {
  let ns = ''
  beforeAll(async () => { ns = await createTestNamespace('e2e-empty') })
  afterAll(async () => { if (ns) await deleteNamespace(ns) })

  it.each([['predict'], ['probe']])('%s -n EMPTY prints "No resources found in EMPTY namespace." and exits 0', async (command) => {
    const { code, stdout, stderr } = await runCli([command, '-n', ns])
    expect(stderr).toContain(`No resources found in ${ns} namespace.`)
    expect(stdout).toBe('')
    expect(code).toBe(0)
    const { core } = kubeClients()
    expect((await core.listNamespacedPod({ namespace: ns })).items).toEqual([])
  })
})
