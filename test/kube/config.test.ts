// kubeconfig loading as kubectl does it (files only, no API calls).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadKubeConfig } from '../../src/kube/config.js'

const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'))

function kubeconfig(name: string, { server, context, current }: { server: string; context: string; current?: string }): string {
  const file = join(dir, name)
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: shared, cluster: {server: "${server}"}}]
users: [{name: ${context}-user, user: {token: t}}]
contexts: [{name: ${context}, context: {cluster: shared, user: ${context}-user, namespace: ${context}-ns}}]
${current ? `current-context: ${current}` : ''}
`)
  return file
}

describe('loading kubeconfig like kubectl', () => {
  const saved = process.env.KUBECONFIG
  afterEach(() => { process.env.KUBECONFIG = saved })

  it('merges every $KUBECONFIG file; the first file wins for names and current-context', () => {
    const first = kubeconfig('a.yaml', { server: 'https://127.0.0.1:1111', context: 'alpha', current: 'alpha' })
    const second = kubeconfig('b.yaml', { server: 'https://127.0.0.1:2222', context: 'beta', current: 'beta' })
    process.env.KUBECONFIG = [first, second].join(delimiter)
    const config = loadKubeConfig({})
    expect(config.getCurrentContext()).toBe('alpha')
    expect(config.getContexts().map((c) => c.name)).toEqual(['alpha', 'beta'])
    expect(config.getCluster('shared')?.server).toBe('https://127.0.0.1:1111')
  })

  it('--context picks a context from any of the files', () => {
    process.env.KUBECONFIG = [kubeconfig('c.yaml', { server: 'https://127.0.0.1:1111', context: 'alpha', current: 'alpha' }), kubeconfig('d.yaml', { server: 'https://127.0.0.1:2222', context: 'beta' })].join(delimiter)
    expect(loadKubeConfig({ context: 'beta' }).getCurrentUser()?.name).toBe('beta-user')
  })

  it('an unknown --context names the known ones', () => {
    process.env.KUBECONFIG = kubeconfig('e.yaml', { server: 'https://127.0.0.1:1111', context: 'alpha', current: 'alpha' })
    expect(() => loadKubeConfig({ context: 'gamma' })).toThrow(/context "gamma" not found .*known: alpha/)
  })

  it('--kubeconfig wins over $KUBECONFIG, and a missing file is named', () => {
    process.env.KUBECONFIG = kubeconfig('f.yaml', { server: 'https://127.0.0.1:1111', context: 'alpha', current: 'alpha' })
    expect(loadKubeConfig({ kubeconfig: kubeconfig('g.yaml', { server: 'https://127.0.0.1:3333', context: 'gamma', current: 'gamma' }) }).getCurrentContext()).toBe('gamma')
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope.yaml') })).toThrow(/--kubeconfig: file not found: .*nope\.yaml/)
  })

  it('a file without current-context needs --context', () => {
    process.env.KUBECONFIG = kubeconfig('h.yaml', { server: 'https://127.0.0.1:1111', context: 'alpha' })
    expect(() => loadKubeConfig({})).toThrow(/no current context .*pass --context/)
  })
})
