// predict at the level users think in: workloads (Deployment via its ReplicaSet, StatefulSet,
// CronJob via its Job, bare pods) as the rows of the default output and of the JSON report, names
// accepted in --from/--to, and a kubectl-style table that fits the terminal.
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

const ownedPod = (name: string, app: string, ip: string, owner: { kind: string; name: string }, extraLabels = '') => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: {app: ${app}${extraLabels}}
  ownerReferences: [{apiVersion: v1, kind: ${owner.kind}, name: ${owner.name}, uid: u-${owner.name}, controller: true}]
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: ${ip}}
`
const SHOP = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}',
  ownedPod('frontend-588b97896b-4vxl5', 'frontend', '198.18.3.10', { kind: 'ReplicaSet', name: 'frontend-588b97896b' }, ', pod-template-hash: 588b97896b'),
  ownedPod('frontend-588b97896b-x2k9p', 'frontend', '198.18.3.11', { kind: 'ReplicaSet', name: 'frontend-588b97896b' }, ', pod-template-hash: 588b97896b'),
  ownedPod('report-29400000-q7w2z', 'report', '198.18.3.12', { kind: 'Job', name: 'report-29400000' }),
  `apiVersion: batch/v1
kind: Job
metadata:
  name: report-29400000
  namespace: shop
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: report, uid: u-report, controller: true}]
spec: {template: {metadata: {labels: {app: report}}, spec: {containers: [{name: c, image: i}]}}}`,
  `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: i, ports: [{containerPort: 5432, name: sql}]}]}}}`,
  `apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop, labels: {app: debug}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 198.18.3.13}`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-frontend, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: sql}]}]`,
].join('\n---\n')

interface MatrixRow { port: number; from: string; allowed: string[]; denied: string[] }

describe('predict groups pods by workload', () => {
  const file = manifestFile(SHOP)

  it('lists each workload once with its kind, class and pods in the JSON report', async () => {
    const { code, stdout } = await run(['predict', '-f', file, '--port', '5432', '-o', 'json'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    // The Job's own manifest does not add a template row: its pod is in the input (said in a note).
    expect(report.sources).toEqual([
      { id: 'shop/frontend', kind: 'Deployment', class: 0, pods: ['shop/frontend-588b97896b-4vxl5', 'shop/frontend-588b97896b-x2k9p'] },
      { id: 'shop/report', kind: 'CronJob', class: 1, pods: ['shop/report-29400000-q7w2z'] },
      { id: 'shop/db', kind: 'StatefulSet', class: 2, pods: ['shop/db'], template: true },
      { id: 'shop/debug', kind: 'Pod', class: 3, pods: ['shop/debug'] },
    ])
    expect(report.notes).toEqual(['pods in the input stand for their workload instead of its pod template: Job shop/report-29400000'])
    const toDb = (report.matrix as MatrixRow[]).map((r) => [r.from, r.allowed.includes('shop/db')])
    expect(toDb).toEqual([['shop/frontend', true], ['shop/report', false], ['shop/db', false], ['shop/debug', false]])
    // A StatefulSet template with itself is two of its replicas, which the policy denies.
    expect(report.summary).toEqual({ allowed: 13, denied: 3, podPairs: { allowed: 22, denied: 3 } })
  })

  it('names workloads with their kind and size in the default list', async () => {
    // Three clients with long names: too wide for a truth table in 100 columns.
    const clients = [1, 2, 3].map((i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: client-with-a-long-name-${i}, namespace: shop}\nspec: {containers: [{name: c, image: i}]}`)
    const { stdout } = await run(['predict', '-f', manifestFile([SHOP, ...clients].join('\n---\n')), '--port', '5432'], { COLUMNS: '100' })
    expect(stdout.split('\n')[0].split(/\s{3,}/)).toEqual(['FROM', 'TO', 'PORT', 'VERDICT'])
    expect(stdout).toMatch(/^shop\/frontend \(deploy, 2 pods\)\s+shop\/db \(sts, template\)\s+TCP\/5432\s+allowed$/m)
    expect(stdout).toMatch(/^shop\/debug\s+shop\/db \(sts, template\)\s+TCP\/5432\s+denied$/m)
    // Denied first.
    expect(stdout.split('\n').slice(1, 4).map((l) => l.split(/\s{3,}/)[0])).toEqual(['shop/report (cj, 1 pod)', 'shop/db (sts, template)', 'shop/debug'])
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('43 allowed, 6 denied workload pairs (pod pairs: 58 allowed, 6 denied)')
  })

  it('-o yaml is the same report as -o json', async () => {
    const asJson = JSON.parse((await run(['predict', '-f', file, '--port', '5432', '-o', 'json'])).stdout)
    expect(parse((await run(['predict', '-f', file, '--port', '5432', '-o', 'yaml'])).stdout)).toEqual(asJson)
  })

  it('--all-pods lists every pod pair', async () => {
    const { stdout } = await run(['predict', '-f', file, '--port', '5432', '--to', 'shop/db', '--all-pods', '-o', 'json'])
    const { results } = JSON.parse(stdout)
    expect(results.map((r: { from: string; allowed: boolean }) => `${r.from} ${r.allowed}`)).toEqual([
      'shop/frontend-588b97896b-4vxl5 true', 'shop/frontend-588b97896b-x2k9p true', 'shop/report-29400000-q7w2z false', 'shop/db false', 'shop/debug false',
    ])
  })
})

describe('--from and --to take pod, workload and kind/name', () => {
  const file = manifestFile(SHOP)
  const sources = async (...from: string[]) => {
    const { code, stdout, stderr } = await run(['predict', '-f', file, '--port', '5432', '--to', 'shop/db', '-o', 'json', ...from.flatMap((f) => ['--from', f])])
    return code === 0 ? JSON.parse(stdout).sources.map((s: { id: string; pods: string[] }) => `${s.id}: ${s.pods.join(',')}`) : stderr
  }

  it('a workload name stands for its pods', async () => {
    expect(await sources('shop/frontend')).toEqual(['shop/frontend: shop/frontend-588b97896b-4vxl5,shop/frontend-588b97896b-x2k9p'])
  })

  it('a pod name is that pod', async () => {
    expect(await sources('shop/frontend-588b97896b-x2k9p')).toEqual(['shop/frontend: shop/frontend-588b97896b-x2k9p'])
  })

  it('kind/name is the workload in any namespace in scope', async () => {
    expect(await sources('deploy/frontend', 'cronjob/report')).toEqual([
      'shop/frontend: shop/frontend-588b97896b-4vxl5,shop/frontend-588b97896b-x2k9p', 'shop/report: shop/report-29400000-q7w2z',
    ])
  })

  it('a StatefulSet pod name read from a file is the StatefulSet', async () => {
    const { code, stdout } = await run(['predict', '-f', file, '--port', '5432', '--from', 'shop/frontend', '--to', 'shop/db-0', '-o', 'json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).matrix[0]).toMatchObject({ from: 'shop/frontend', allowed: ['shop/db'] })
  })

  it('a name that matches nothing is refused with the nearest name', async () => {
    expect(await sources('shop/frontent')).toBe('error: --from: shop/frontent matches no pod, workload or address in scope; did you mean shop/frontend?\n')
    expect(await sources('shop/zzzzzzzz')).toBe('error: --from: shop/zzzzzzzz matches no pod, workload or address in scope\n')
    expect(await sources('payments/api')).toBe('error: --from: payments/api matches no pod, workload or address in scope; no pod of namespace payments is in scope (add -n payments, or -A)\n')
  })
})

describe('the default table is kubectl-style', () => {
  // Long names: the truth table cannot fit 80 columns, so the list must.
  const long = SHOP.replaceAll('frontend', 'storefront-frontend-with-a-long-name')
  const file = manifestFile(long)

  it('fits 80 columns without box lines when piped, dropping the kind before cutting a name', async () => {
    const { code, stdout } = await run(['predict', '-f', file, '--port', '5432'])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80)
    expect(stdout).not.toMatch(/[─│┌┐└┘├┤┼]/)
    expect(stdout).toMatch(/^shop\/storefront-…-long-name\s+shop\/db \(sts, template\)\s+TCP\/5432\s+allowed$/m)
    expect(lines.at(-1)).toMatch(/^\d+ allowed, \d+ denied workload pairs/)
  })

  it('a label too wide for its column keeps the name and the pod count, then the name alone', async () => {
    const clients = [1, 2].map((i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: client-with-a-long-name-${i}, namespace: shop}\nspec: {containers: [{name: c, image: i}]}`)
    const { stdout } = await run(['predict', '-f', manifestFile([SHOP, ...clients].join('\n---\n')), '--port', '5432'])
    // `shop/frontend (deploy, 2 pods)` is 30 wide, the column 28.
    expect(stdout).toMatch(/^shop\/frontend \(2 pods\)\s+shop\/db \(sts, template\)\s+TCP\/5432\s+allowed$/m)
    expect(stdout).toMatch(/^shop\/client-with…ong-name-1\s+shop\/db \(sts, template\)\s+TCP\/5432\s+denied$/m)
  })

  it('honours COLUMNS', async () => {
    const { stdout } = await run(['predict', '-f', file, '--port', '5432'], { COLUMNS: '100' })
    expect(stdout).toMatch(/^shop\/storefront-front…ith-a-long-name\s/m)
    const widest = Math.max(...stdout.split('\n').map((l) => l.length))
    expect(widest).toBeGreaterThan(80)
    expect(widest).toBeLessThanOrEqual(100)
  })

  it('shows truth tables over workloads when they fit, with the workloads listed', async () => {
    const { stdout } = await run(['predict', '-f', manifestFile(SHOP), '--port', '5432'], { COLUMNS: '120' })
    expect(stdout).toMatch(/^TCP\/5432 +shop\/frontend shop\/report shop\/db shop\/debug$/m)
    expect(stdout).toMatch(/^shop\/debug +\. +\. +X +\.\*$/m)
    expect(stdout).toMatch(/^shop\/frontend +Deployment +2 +0$/m)
  })
})
