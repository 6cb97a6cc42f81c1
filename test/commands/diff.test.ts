// diff offline, as a user runs it: the built command in-process, real files, exit codes.
import { describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'
import { SHOP_AND_DB } from '../support/shop-db.js'
import { runCli as run } from './in-process.js'

const file = (name: string, text: string) => manifestFile(text, name)

const PG_FROM_WEB = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pg-from-web, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
`

const WORLD = file('world.yaml', `${SHOP_AND_DB}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec: {template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}}}
---${PG_FROM_WEB}`)

const DENY_SHOP_TO_DB = file('anp.yaml', `
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-shop-to-db}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: db}}}
  ingress: [{name: no-shop, action: Deny, from: [{namespaces: {matchLabels: {team: shop}}}]}]
`)

describe('diff', () => {
  it('--apply: the connection lost, from the workload, with the rule responsible; --fail-on lost exits 1', async () => {
    const { code, stdout } = await run(['diff', '-f', WORLD, '--apply', DENY_SHOP_TO_DB, '--port', '5432', '--fail-on', 'lost'], { COLUMNS: '120' })
    expect(code).toBe(1)
    expect(stdout).toContain('1 connection group lost, 0 gained')
    expect(stdout).toMatch(/\nCHANGE +FROM +TO +PORT +RULE\nLOST +shop\/web +db\/pg +TCP\/5432 +ingress: AdminNetworkPolicy\/no-shop-to-db ingress\[0\] "no-shop" Deny\n/)
  })

  it('fits the table to 80 columns: kubectl-style columns, the rule wrapped under its column', async () => {
    const { stdout } = await run(['diff', '-f', WORLD, '--apply', DENY_SHOP_TO_DB, '--port', '5432'], { COLUMNS: '80' })
    expect(stdout).not.toMatch(/[─│┌┐└┘├┤┼]/)
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    expect(stdout).toMatch(/\nLOST +shop\/web +db\/pg +TCP\/5432 +ingress: AdminNetworkPolicy\/no-shop-to-db\n +ingress\[0\] "no-shop" Deny\n/)
  })

  it('--fail-on gained passes a change that only loses', async () => {
    const { code } = await run(['diff', '-f', WORLD, '--apply', DENY_SHOP_TO_DB, '--port', '5432', '--fail-on', 'gained'])
    expect(code).toBe(0)
  })

  it('--delete: deleting the only policy selecting pg removes its isolation: worker → pg is gained (json)', async () => {
    const { code, stdout } = await run(['diff', '-f', WORLD, '--delete', 'networkpolicy/db/pg-from-web', '--port', '5432', '-o', 'json'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.summary).toMatchObject({ gained: 1, lost: 0 })
    expect(report.rows).toEqual([{ change: 'gained', from: ['shop/worker'], to: ['db/pg'], port: 5432, protocol: 'TCP', reason: ['ingress: no policy of any tier applies (allowed)'] }])
    expect(report.change).toEqual(['delete networkpolicy/db/pg-from-web'])
  })

  it('--after: a second set of files replaces every policy; markdown for a pull-request comment', async () => {
    const after = file('after.yaml', `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pg-from-shop, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}]}]
`)
    const { code, stdout } = await run(['diff', '-f', WORLD, '--after', after, '--port', '5432', '-o', 'markdown', '--fail-on', 'any'])
    expect(code).toBe(1)
    expect(stdout).toContain('| 🟢 gained | shop/worker | db/pg | TCP/5432 | `ingress: allowed by db/pg-from-shop ingress[0]` |')
  })

  it('no change: says so and exits 0 even with --fail-on any', async () => {
    const same = file('same.yaml', PG_FROM_WEB)
    const { code, stdout } = await run(['diff', '-f', WORLD, '--apply', same, '--fail-on', 'any'])
    expect(code).toBe(0)
    expect(stdout).toContain('No connection changes')
  })

  it.each([
    [['--delete', 'networkpolicy/db'], /--delete: "networkpolicy\/db": expected networkpolicy\/NAMESPACE\/NAME/],
    [['--delete', 'secret/db/x'], /unknown kind "secret"/],
    [['--delete', 'networkpolicy/db/nope'], /--delete: networkpolicy\/db\/nope: no such object in the snapshot/],
    [[], /no change given: use --apply FILE, --delete KIND\/NAME or --after FILES/],
    [['--after', WORLD, '--apply', DENY_SHOP_TO_DB], /--after replaces every policy/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const { code, stderr } = await run(['diff', '-f', WORLD, ...args])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})
