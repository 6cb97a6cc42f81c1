// The client a command creates: nothing is read or loaded before its first request, so offline
// runs and input errors never depend on a kubeconfig.
import { describe, expect, it } from 'vitest'
import { clusterClient } from '../../src/kube/lazy.js'

describe('the command client', () => {
  it('reads kubeconfig only on its first request, and reports a bad one then', async () => {
    const client = clusterClient({ kubeconfig: '/nonexistent/kubeconfig' })
    await expect(client.listPods('shop', '')).rejects.toThrow('--kubeconfig: file not found: /nonexistent/kubeconfig')
    await expect(client.defaultNamespace()).rejects.toThrow('--kubeconfig: file not found')
  })
})
