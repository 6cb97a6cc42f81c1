// predict and explain on a world with AdminNetworkPolicy and BaselineAdminNetworkPolicy, as a user runs
// them: the built commands in-process, real files, exit codes.
import { describe, expect, it } from 'vitest'
import { SHOP_AND_DB } from '../support/shop-db.js'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

const WORLD = `${SHOP_AND_DB}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-shop, namespace: db}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: protect-db}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: db}}}
  ingress:
  - {name: no-shop, action: Deny, from: [{namespaces: {matchLabels: {team: shop}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {name: baseline-deny, action: Deny, from: [{namespaces: {}}]}
`

describe('the admin tiers in predict and explain', () => {
  const file = manifestFile(WORLD)

  it('explain names the AdminNetworkPolicy rule that overrides a NetworkPolicy allow, quoted as written', async () => {
    const { code, stdout } = await run(['explain', '-f', file, '--from', 'shop/web', '--to', 'db/pg', '--port', '5432'])
    expect(code).toBe(0)
    expect(stdout).toContain('AdminNetworkPolicy: selected by protect-db (priority 10)')
    expect(stdout).toContain('✘ AdminNetworkPolicy/protect-db ingress[0] "no-shop" Deny')
    expect(stdout).toContain('from:')
    expect(stdout).toContain('(NetworkPolicy and BaselineAdminNetworkPolicy are not consulted)')
    expect(stdout).toMatch(/Result: DENIED/)
  })

  it('explain shows the baseline deciding where no NetworkPolicy isolates the pod', async () => {
    const { stdout } = await run(['explain', '-f', file, '--from', 'db/pg', '--to', 'shop/web', '--port', '80'])
    expect(stdout).toContain('→ on to BaselineAdminNetworkPolicy')
    expect(stdout).toContain('✘ BaselineAdminNetworkPolicy/default ingress[0] "baseline-deny" Deny')
  })

  it('predict -o json --explain carries the deciding tier rule of each side', async () => {
    const { stdout } = await run(['predict', '-f', file, '--from', 'shop/web', '--to', 'db/pg', '--port', '5432', '-o', 'json', '--explain'])
    const [row] = JSON.parse(stdout).matrix
    expect(row).toMatchObject({ denied: ['db/pg'], explanations: { 'db/pg': { ingress: { isolated: true, allowedBy: [], decidedBy: 'AdminNetworkPolicy/protect-db ingress[0] "no-shop" Deny' } } } })
  })

  it('a ClusterNetworkPolicy in the input is a warning: --strict exits 1', async () => {
    const withCnp = manifestFile(`${WORLD}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: tier-admin}
spec: {tier: Admin, priority: 1, subject: {namespaces: {}}}
`)
    const { code, stdout, stderr } = await run(['predict', '-f', withCnp, '--port', '80', '--strict'])
    expect(code).toBe(1)
    expect(`${stdout}${stderr}`).toContain('ClusterNetworkPolicy/tier-admin is not evaluated (policy.networking.k8s.io/v1alpha2 is not supported yet)')
  })
})
