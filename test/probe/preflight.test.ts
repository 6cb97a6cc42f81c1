// The probe preflight against the in-memory FakeKube (test/support/fake-kube.ts): the fake exists
// to deny permissions one at a time, which the shared real cluster cannot do on demand for every
// verb. test/e2e/probe.test.ts proves the preflight against real RBAC with a limited user.
import { describe, expect, it } from 'vitest'
import { preflight } from '../../src/probe/preflight.js'
import { FakeKube } from '../support/fake-kube.js'

describe('probe preflight (SelfSubjectAccessReview)', () => {
  it('passes when every permission of the mode is granted, asking once per permission and namespace', async () => {
    const kube = new FakeKube()
    await preflight(kube, 'pod', ['shop', 'db'])
    const asked = kube.calls.filter((c) => c.method === 'canI')
    expect(asked).toHaveLength(2 * 9)
  })

  it('names each missing permission with its namespace, and points at the RBAC manifest', async () => {
    const kube = new FakeKube()
    kube.denied.add('create pods in db').add('get pods/exec in shop')
    await expect(preflight(kube, 'pod', ['shop', 'db'])).rejects.toThrow(
      'permission denied: missing get pods/exec in shop, create pods in db (see deploy/rbac.yaml)')
  })

  it('pod mode needs to create the probe pods\' owner, a Deployment (group apps)', async () => {
    const kube = new FakeKube()
    kube.denied.add('create deployments.apps in shop')
    await expect(preflight(kube, 'pod', ['shop'])).rejects.toThrow('permission denied: missing create deployments.apps in shop (see deploy/rbac.yaml)')
  })

  it('ephemeral mode needs to patch pods/ephemeralcontainers, not to create pods', async () => {
    const kube = new FakeKube()
    kube.denied.add('create pods in shop')
    await preflight(kube, 'ephemeral', ['shop'])
    kube.denied.add('patch pods/ephemeralcontainers in shop')
    await expect(preflight(kube, 'ephemeral', ['shop'])).rejects.toThrow(/missing patch pods\/ephemeralcontainers in shop/)
  })

  it('fails as a cluster problem (exit 2) before anything is created', async () => {
    const kube = new FakeKube()
    kube.denied.add('deletecollection configmaps in shop')
    await expect(preflight(kube, 'pod', ['shop'])).rejects.toMatchObject({ exitCode: 2 })
    expect(kube.calls.every((c) => c.method === 'canI')).toBe(true)
  })
})
