// The one rule for default ports, as a user sees it: without --port, each destination is checked
// on the ports it declares (of --protocol when given); one that declares none is not checked.
import { describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

const FILE = manifestFile(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: shop, labels: {app: dns}}
spec: {containers: [{name: dns, image: coredns, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: shop, labels: {app: worker}}
spec: {containers: [{name: worker, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-worker, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: worker}}}], ports: [{port: http}]}]
`)

interface Row { port: number; protocol: string; from: string; allowed: string[]; denied: string[] }

describe('default ports: each destination checked on the ports it declares, per protocol', () => {
  it('truth tables show `-` where the destination declares no such port, and count only checked cells', async () => {
    const { code, stdout, stderr } = await run(['predict', '-f', FILE], { COLUMNS: '80' })
    expect(code).toBe(0)
    expect(stdout).toContain([
      'TCP/80      shop/web shop/dns shop/worker',
      'shop/web    X        -        -',
      'shop/dns    X        -        -',
      'shop/worker .        -        -',
    ].join('\n'))
    expect(stdout).toContain('UDP/53      shop/web shop/dns shop/worker\nshop/web    -        .        -\n')
    expect(stdout).toContain('- not checked: the destination declares no such port (pass --port to check it)')
    expect(stdout).toContain('7 allowed, 2 denied workload pairs')
    expect(stderr).toContain('note: 1 destination declares no port and is not checked (pass --port to check it): shop/worker')
  })

  it('grouped JSON: each destination lists its ports, and a matrix row lists only the destinations checked on its port', async () => {
    const report = JSON.parse((await run(['predict', '-f', FILE, '-o', 'json'])).stdout)
    const ports = Object.fromEntries(report.destinations.map((d: { id: string; ports: unknown }) => [d.id, d.ports]))
    expect(ports).toEqual({
      'shop/web': [{ port: 80, protocol: 'TCP' }],
      'shop/dns': [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      'shop/worker': [],
    })
    const rows = (report.matrix as Row[]).filter((r) => r.from === 'shop/worker').map((r) => [`${r.protocol}/${r.port}`, r.allowed, r.denied])
    expect(rows).toEqual([['TCP/53', ['shop/dns'], []], ['UDP/53', ['shop/dns'], []], ['TCP/80', ['shop/web'], []]])
    expect(report.summary).toEqual({ allowed: 7, denied: 2, podPairs: { allowed: 7, denied: 2 } })
  })

  it('--all-pods has a result only for a destination\'s own ports', async () => {
    const { results } = JSON.parse((await run(['predict', '-f', FILE, '-o', 'json', '--all-pods'])).stdout)
    const checked = new Set(results.map((r: { to: string; port: number; protocol: string }) => `${r.to} ${r.protocol}/${r.port}`))
    expect([...checked].sort()).toEqual(['shop/dns TCP/53', 'shop/dns UDP/53', 'shop/web TCP/80'])
    expect(results).toHaveLength(3 * 3)
  })

  it('--protocol UDP without --port checks only the declared UDP ports', async () => {
    const { matrix } = JSON.parse((await run(['predict', '-f', FILE, '--protocol', 'UDP', '-o', 'json'])).stdout)
    expect(new Set((matrix as Row[]).map((r) => `${r.protocol}/${r.port}`))).toEqual(new Set(['UDP/53']))
  })

  it('--port checks every destination on the asked port, declared or not', async () => {
    const { matrix } = JSON.parse((await run(['predict', '-f', FILE, '--port', '8080', '-o', 'json'])).stdout)
    for (const row of matrix as Row[]) expect([...row.allowed, ...row.denied].sort()).toEqual(['shop/dns', 'shop/web', 'shop/worker'])
  })

  it('--port NAME checks only the destinations that declare the name, as probe dials only those', async () => {
    const { matrix, destinations } = JSON.parse((await run(['predict', '-f', FILE, '--port', 'http', '-o', 'json'])).stdout)
    for (const row of matrix as Row[]) expect([...row.allowed, ...row.denied]).toEqual(['shop/web'])
    expect(destinations.map((d: { ports: unknown[] }) => d.ports.length)).toEqual([1, 0, 0])
    const { stdout } = await run(['predict', '-f', FILE, '--port', 'http'])
    expect(stdout).toContain('TCP/http    shop/web shop/dns shop/worker\nshop/web    X        -        -\n')
  })

  it('a destination that declares no port, asked for alone, is bad input naming --port', async () => {
    const { code, stderr } = await run(['predict', '-f', FILE, '--to', 'shop/worker'])
    expect(code).toBe(2)
    expect(stderr.trim()).toBe('error: --port: nothing to check: no destination in scope declares a port (pass --port, or check --from/--to/--protocol)')
  })

  it('explain without --port explains the destination\'s own ports', async () => {
    const { explanations } = JSON.parse((await run(['explain', '-f', FILE, '--from', 'shop/worker', '--to', 'shop/dns', '-o', 'json'])).stdout)
    expect(explanations.map((e: { protocol: string; port: number }) => `${e.protocol}/${e.port}`)).toEqual(['TCP/53', 'UDP/53'])
  })

  it('diff compares each destination on its own ports', async () => {
    const deny = manifestFile('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n', 'deny.yaml')
    const { rows } = JSON.parse((await run(['diff', '-f', FILE, '--apply', deny, '-o', 'json'])).stdout)
    const lost = new Set(rows.map((r: { to: string[]; protocol: string; port: number }) => `${r.to.join(',')} ${r.protocol}/${r.port}`))
    // shop/worker declares no port: no row names it; shop/web's port 80 was already isolated.
    expect([...lost].sort()).toEqual(['shop/dns TCP/53', 'shop/dns UDP/53'])
  })
})
