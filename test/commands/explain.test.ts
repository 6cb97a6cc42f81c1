// explain as a learner reads it: for every rule that did not match, the exact reason.
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

/** The directory holding the world (explain reads -f DIR). */
const manifest = (text: string) => dirname(manifestFile(text))

const WORLD = manifest(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 198.18.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api, tier: backend}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 9090, name: http}]}]}
status: {podIP: 198.18.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 53, protocol: UDP}]}]}
status: {podIP: 198.18.0.6}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  ingress:
  - from: [{podSelector: {}}]
  egress:
  - to: [{namespaceSelector: {matchLabels: {name: kube-system}}}]
    ports: [{port: 53, protocol: UDP}]
  - to: [{ipBlock: {cidr: 198.18.0.0/16, except: [198.18.0.0/24]}}]
    ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: http}]
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
    ports: [{port: 8080}]
`)

describe('explain names why each rule did not match', () => {
  it('a namespaceSelector on `name` when the namespace only has kubernetes.io/metadata.name: the labels and the nearest miss', async () => {
    const { code, stdout } = await run(['explain', '-f', WORLD, '--from', 'shop/web', '--to', 'kube-system/dns', '--port', '53', '--protocol', 'UDP'])
    expect(code).toBe(0)
    expect(stdout).toContain('to[0]: namespaceSelector name=kube-system does not match namespace kube-system (labels: kubernetes.io/metadata.name=kube-system): it has no label name (wanted name=kube-system)')
    expect(stdout).toContain('nearest miss: it has kubernetes.io/metadata.name=kube-system, the selector wants name=kube-system')
    expect(stdout).toContain('198.18.0.6 is inside ipBlock 198.18.0.0/16 but excepted by 198.18.0.0/24')
  })

  it('an address inside the cidr and its except, and a port entry of another protocol', async () => {
    const { stdout } = await run(['explain', '-f', WORLD, '--from', 'shop/web', '--to', 'kube-system/dns', '--port', '8080'])
    expect(stdout).toMatch(/egress\[0\]: the peer does not match and the port\/protocol does not match\n.*\n.*\n\s+ports\[0\]: is UDP, the connection is TCP/)
    expect(stdout).toContain('egress[1]: the peer does not match\n      to[0]: 198.18.0.6 is inside ipBlock 198.18.0.0/16 but excepted by 198.18.0.0/24')
  })

  it('a pod selector on the pod\'s actual labels, and a named port resolved on the destination', async () => {
    const { stdout } = await run(['explain', '-f', WORLD, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080'])
    expect(stdout).toContain('from[0]: podSelector app=frontend does not match pod shop/web (labels: app=web): app is "web" (wanted app=frontend)')
    expect(stdout).toContain('ports[0]: named port "http"/TCP is 9090 on the destination pod, the connection is on 8080')
    expect(stdout).toContain('from[0]: podSelector k8s-app=kube-dns does not match pod shop/web (labels: app=web): it has no label k8s-app (wanted k8s-app=kube-dns)')
  })

  it('rules switched off by policyTypes are named on the side they would apply to', async () => {
    const { stdout } = await run(['explain', '-f', WORLD, '--from', 'shop/api', '--to', 'shop/web', '--port', '8080'])
    expect(stdout).toContain('note: shop/web-out selects this pod, but its ingress rule is switched off: policyTypes is [Egress] (add Ingress to enforce it)')
  })

  it('a podSelector-only peer does not reach another namespace', async () => {
    const { stdout } = await run(['explain', '-f', WORLD, '--from', 'kube-system/dns', '--to', 'shop/api', '--port', '9090'])
    expect(stdout).toContain("from[0]: a podSelector without namespaceSelector only selects pods in shop (the policy's namespace); the peer is in kube-system")
  })

  it('keeps the reasons as data in the JSON report', async () => {
    const { stdout } = await run(['explain', '-f', WORLD, '--from', 'shop/web', '--to', 'kube-system/dns', '--port', '53', '--protocol', 'UDP', '-o', 'json'])
    const [explanation] = JSON.parse(stdout).explanations
    const rule = explanation.sides[0].policies[0].rules[0]
    expect(rule.peerMisses).toEqual([{
      entry: 0, kind: 'selectors',
      namespace: {
        selector: 'name=kube-system', subject: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' },
        unmet: [{ requirement: 'name=kube-system', key: 'name', operator: 'In', values: ['kube-system'] }],
        nearest: [{ wanted: 'name=kube-system', has: 'kubernetes.io/metadata.name=kube-system' }],
      },
    }])
    expect(explanation.sides[0].policies[0].rules[1].peerMisses).toEqual([{ entry: 0, kind: 'excepted', cidr: '198.18.0.0/16', except: '198.18.0.0/24', address: '198.18.0.6' }])
  })
})

describe('explain of an endpoint with itself: the same pod, or two replicas of one workload', () => {
  const world = manifest(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i, ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: api-7d9f8b6c5d-x2k9p
  namespace: shop
  labels: {app: api, pod-template-hash: 7d9f8b6c5d}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-7d9f8b6c5d, uid: u-api, controller: true}]
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}
status: {podIP: 198.18.0.20}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
`)

  it('a Deployment\'s template with itself is two replicas, different pods: the policies decide, no loopback', async () => {
    const { code, stdout } = await run(['explain', '-f', world, '--from', 'deploy/web', '--to', 'deploy/web'])
    expect(code).toBe(0)
    expect(stdout).toContain('shop/web stands for every pod of Deployment shop/web: this is one replica connecting to another, two different pods, so the policies decide')
    expect(stdout).toContain('Result: DENIED — blocked by the destination\'s ingress')
    expect(stdout).not.toContain('Note (CNI-defined)')
    const [e] = JSON.parse((await run(['explain', '-f', world, '--from', 'deploy/web', '--to', 'deploy/web', '-o', 'json'])).stdout).explanations
    expect(e).toMatchObject({ allowed: false, cniDefined: [], self: { kind: 'replicas', workload: 'Deployment shop/web' } })
  })

  it('one replica of a template named on both sides is one pod (loopback); two replica names are two pods', async () => {
    const replica = 'shop/web-5f6d7c8b9a-abcde'
    const same = JSON.parse((await run(['explain', '-f', world, '--from', replica, '--to', replica, '-o', 'json'])).stdout).explanations[0]
    expect(same).toMatchObject({ allowed: true, self: { kind: 'same-pod', pod: replica, workload: 'Deployment shop/web', betweenPods: false } })
    const { stdout } = await run(['explain', '-f', world, '--from', replica, '--to', replica])
    expect(stdout).toContain(`Note: this is one pod, ${replica} (a pod of Deployment shop/web, read from its template), connecting to its own IP.`)
    const two = JSON.parse((await run(['explain', '-f', world, '--from', replica, '--to', 'shop/web-5f6d7c8b9a-fghij', '-o', 'json'])).stdout).explanations[0]
    expect(two).toMatchObject({ allowed: false, self: { kind: 'replicas' } })
  })

  it('a pod with itself is the CNI-defined loopback, and says what the policies decide between two replicas', async () => {
    const { stdout } = await run(['explain', '-f', world, '--from', 'shop/api-7d9f8b6c5d-x2k9p', '--to', 'shop/api-7d9f8b6c5d-x2k9p'])
    expect(stdout).toContain('Note (CNI-defined): a pod reaching itself')
    expect(stdout).toContain('Note: this is one pod connecting to its own IP. Between two different pods (another replica of Deployment shop/api, or a probe pod carrying its identity) the policies decide: DENIED')
    expect(stdout).toContain('Result: ALLOWED (a pod reaching itself)')
    const [e] = JSON.parse((await run(['explain', '-f', world, '--from', 'shop/api-7d9f8b6c5d-x2k9p', '--to', 'shop/api-7d9f8b6c5d-x2k9p', '-o', 'json'])).stdout).explanations
    expect(e).toMatchObject({ allowed: true, cniDefined: [{ kind: 'loopback' }], self: { kind: 'same-pod', workload: 'Deployment shop/api', betweenPods: false } })
  })
})
