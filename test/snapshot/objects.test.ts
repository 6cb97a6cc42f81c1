import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/model/errors.js'
import { snapshotFromObjects, type ManifestDocument } from '../../src/snapshot/objects.js'

const FILE = 'manifests.yaml'

function docs(...objects: unknown[]): ManifestDocument[] {
  return objects.map((object, index) => ({ file: FILE, index, object }))
}

function load(...objects: unknown[]) {
  return snapshotFromObjects(docs(...objects))
}

function inputErrorOf(run: () => unknown): InputError {
  try {
    run()
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

function policy(spec: unknown, namespace = 'default', name = 'np') {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec }
}

function pod(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, ...extra }
}

function ingressPeer(peer: unknown) {
  return policy({ podSelector: {}, ingress: [{ from: [peer] }] })
}

function ingressPort(port: unknown) {
  return policy({ podSelector: {}, ingress: [{ ports: [port] }] })
}

function selectorPolicy(selector: unknown) {
  return policy({ podSelector: selector })
}

describe('lists', () => {
  it('flattens kind: List items', () => {
    const snapshot = load({ apiVersion: 'v1', kind: 'List', items: [pod('a'), policy({ podSelector: {} })] })
    expect(snapshot.pods.map((p) => p.name)).toEqual(['a'])
    expect(snapshot.policies.map((p) => p.name)).toEqual(['np'])
  })

  it('flattens typed lists whose items omit kind and apiVersion', () => {
    const snapshot = load({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicyList',
      items: [{ metadata: { name: 'a', namespace: 'x' }, spec: { podSelector: {} } }],
    })
    expect(snapshot.policies).toEqual([{ namespace: 'x', name: 'a', spec: { podSelector: {} } }])
  })

  it('reports errors inside a list with the item path and the list document index', () => {
    const error = inputErrorOf(() => load(pod('first'), { kind: 'List', items: [pod('ok'), pod('ok2'), pod('ok3'), policy({ podSelector: { matchLabels: { 'app@b': 'x' } } })] }))
    expect(error.location).toEqual({ file: FILE, document: 1, field: 'items[3].spec.podSelector.matchLabels' })
  })
})

describe('namespaces', () => {
  it('always adds the kubernetes.io/metadata.name label', () => {
    const snapshot = load({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { team: 'a' } } })
    expect(snapshot.namespaces).toEqual([{ name: 'prod', labels: { team: 'a', 'kubernetes.io/metadata.name': 'prod' } }])
  })

  it('creates namespaces referenced by pods and policies but not declared, with one note', () => {
    const snapshot = load(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'declared' } },
      { ...pod('a'), metadata: { name: 'a', namespace: 'zeta' } },
      policy({ podSelector: {} }, 'alpha'),
      { ...pod('b'), metadata: { name: 'b', namespace: 'declared' } },
    )
    expect(snapshot.namespaces.map((ns) => ns.name)).toEqual(['declared', 'alpha', 'zeta'])
    expect(snapshot.namespaces[1].labels).toEqual({ 'kubernetes.io/metadata.name': 'alpha' })
    expect(snapshot.notes).toEqual(['namespaces not declared in the input, assumed with no labels: alpha, zeta'])
  })

  it('creates built-in namespaces like default without a note: their labels are known', () => {
    const snapshot = load(pod('a'), { ...pod('dns'), metadata: { name: 'dns', namespace: 'kube-system' } })
    expect(snapshot.namespaces).toEqual([
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    ])
    expect(snapshot.notes).toEqual([])
  })
})

describe('pods', () => {
  it('reads namespace, labels, IPs, ports, hostNetwork, service account, node and phase', () => {
    const snapshot = load({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: {
        hostNetwork: true,
        serviceAccountName: 'web-sa',
        nodeName: 'node-1',
        containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }],
        initContainers: [
          { name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 15001 }] },
          { name: 'setup', ports: [{ containerPort: 9999 }] },
        ],
      },
      status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] },
    })
    expect(snapshot.pods).toEqual([{
      namespace: 'shop',
      name: 'web',
      labels: { app: 'web' },
      ips: ['10.0.0.1', 'fd00::1'],
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
        { containerPort: 15001, protocol: 'TCP' },
      ],
      hostNetwork: true,
      serviceAccountName: 'web-sa',
      nodeName: 'node-1',
      phase: 'Running',
    }])
  })

  it.each([
    { rule: 'namespace defaults to default', object: { kind: 'Pod', metadata: { name: 'p' } }, expected: { namespace: 'default' } },
    { rule: 'service account defaults to default', object: { kind: 'Pod', metadata: { name: 'p' } }, expected: { serviceAccountName: 'default' } },
    { rule: 'no status means no IPs', object: { kind: 'Pod', metadata: { name: 'p' } }, expected: { ips: [], hostNetwork: false, labels: {} } },
    { rule: 'status.podIP is used without podIPs', object: { kind: 'Pod', metadata: { name: 'p' }, status: { podIP: '10.1.1.1' } }, expected: { ips: ['10.1.1.1'] } },
  ])('$rule', ({ object, expected }) => {
    expect(load(object).pods[0]).toMatchObject(expected)
  })

  it('uses the defaultNamespace option for objects without metadata.namespace', () => {
    const snapshot = snapshotFromObjects(docs({ kind: 'Pod', metadata: { name: 'p' } }), { defaultNamespace: 'dev' })
    expect(snapshot.pods[0].namespace).toBe('dev')
  })
})

describe('workloads become one template pod', () => {
  const template = { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } }
  it.each([
    { kind: 'Deployment', apiVersion: 'apps/v1', spec: { template } },
    { kind: 'StatefulSet', apiVersion: 'apps/v1', spec: { template } },
    { kind: 'DaemonSet', apiVersion: 'apps/v1', spec: { template } },
    { kind: 'ReplicaSet', apiVersion: 'apps/v1', spec: { template } },
    { kind: 'ReplicationController', apiVersion: 'v1', spec: { template } },
    { kind: 'Job', apiVersion: 'batch/v1', spec: { template } },
    { kind: 'CronJob', apiVersion: 'batch/v1', spec: { jobTemplate: { spec: { template } } } },
  ])('$kind', ({ kind, apiVersion, spec }) => {
    const snapshot = load({ apiVersion, kind, metadata: { name: 'w', namespace: 'apps', labels: { owner: 'x' } }, spec })
    expect(snapshot.pods).toEqual([{
      namespace: 'apps',
      name: 'w',
      labels: { app: 'w' },
      ips: [],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      hostNetwork: false,
      serviceAccountName: 'default',
      template: { kind, name: 'w' },
    }])
  })

  it('a workload without a pod template is rejected', () => {
    const error = inputErrorOf(() => load({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: {} }))
    expect(error.location.field).toBe('spec.jobTemplate.spec.template')
  })
})

describe('network policies keep absent and empty apart', () => {
  it.each([
    { rule: 'absent ingress stays absent', spec: { podSelector: {} } },
    { rule: 'empty ingress stays empty', spec: { podSelector: {}, ingress: [] } },
    { rule: 'empty from stays empty', spec: { podSelector: {}, ingress: [{ from: [] }] } },
    { rule: 'rule without from stays without from', spec: { podSelector: {}, ingress: [{}], egress: [{ ports: [] }] } },
    { rule: 'empty selectors stay empty', spec: { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] } },
    { rule: 'policyTypes are kept as written', spec: { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Egress'] } },
  ])('$rule', ({ spec }) => {
    const [converted] = load(policy(spec)).policies
    expect(converted.spec).toStrictEqual(spec)
  })

  it('null lists are absent, as for the API server', () => {
    const [converted] = load(policy({ podSelector: {}, ingress: null, egress: [{ to: null }] })).policies
    expect(converted.spec).toStrictEqual({ podSelector: {}, egress: [{}] })
  })

  it('keeps ports, protocols and CIDRs as written', () => {
    const spec = {
      podSelector: {},
      egress: [{
        to: [{ ipBlock: { cidr: '10.1.2.3/8', except: ['10.9.0.0/16'] } }, { ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }],
        ports: [{ protocol: 'UDP', port: 53 }, { port: 'dns-tcp' }, { port: 8000, endPort: 9000 }],
      }],
    }
    expect(load(policy(spec)).policies[0].spec).toStrictEqual(spec)
  })
})

describe('services and nodes', () => {
  it('reads a service', () => {
    const snapshot = load({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00::10'], selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }, { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] },
    })
    expect(snapshot.services).toEqual([{
      namespace: 'shop',
      name: 'web',
      clusterIPs: ['10.96.0.10', 'fd00::10'],
      selector: { app: 'web' },
      ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }],
    }])
  })

  it.each([
    { rule: 'clusterIP is used without clusterIPs', spec: { clusterIP: '10.96.0.1' }, clusterIPs: ['10.96.0.1'] },
    { rule: 'headless service has no cluster IP', spec: { clusterIP: 'None' }, clusterIPs: [] },
    { rule: 'service without spec has no cluster IP', spec: undefined, clusterIPs: [] },
  ])('$rule', ({ spec, clusterIPs }) => {
    expect(load({ kind: 'Service', metadata: { name: 's' }, spec }).services[0].clusterIPs).toEqual(clusterIPs)
  })

  it('reads internal and external node addresses', () => {
    const snapshot = load({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }, { type: 'ExternalIP', address: '203.0.113.5' }] },
    })
    expect(snapshot.nodes).toEqual([{ name: 'n1', labels: {}, ips: ['192.168.1.10', '203.0.113.5'] }])
  })
})

describe('notes', () => {
  it('aggregates skipped kinds into one note', () => {
    const snapshot = load(
      { kind: 'ConfigMap', metadata: { name: 'a' } },
      { kind: 'Ingress', metadata: { name: 'b' } },
      { kind: 'ConfigMap', metadata: { name: 'c' } },
    )
    expect(snapshot.notes).toEqual(['skipped 3 objects of unsupported kinds: ConfigMap (2), Ingress (1)'])
  })

  it('skips same-named kinds of other API groups', () => {
    const snapshot = load({ apiVersion: 'example.com/v1', kind: 'NetworkPolicy', metadata: { name: 'other' } })
    expect(snapshot.policies).toEqual([])
    expect(snapshot.notes).toEqual(['skipped 1 object of an unsupported kind: NetworkPolicy.example.com (1)'])
  })

  it('keeps the policy kinds it does not evaluate for the lint, not the note (Calico, Cilium, extensions/v1beta1)', () => {
    const snapshot = load(
      { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'calico', namespace: 'x' }, spec: { selector: 'all()' } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'l7' } },
      { apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'old' }, spec: {} },
    )
    expect(snapshot.policies).toEqual([])
    expect(snapshot.notes).toEqual([])
    expect(snapshot.skipped?.objects.map((o) => `${o.kind} ${o.apiVersion} ${o.namespace ?? '-'}/${o.name}`)).toEqual([
      'NetworkPolicy projectcalico.org/v3 x/calico', 'CiliumNetworkPolicy cilium.io/v2 -/l7', 'NetworkPolicy extensions/v1beta1 -/old',
    ])
  })

  it('ignores null and empty documents', () => {
    expect(load(null, undefined, pod('a')).pods).toHaveLength(1)
  })

  it('notes pods without IPs only when a policy uses ipBlock', () => {
    const ipBlockPolicy = policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })
    const withIp = pod('c', { status: { podIP: '10.0.0.3' } })
    expect(load(pod('a'), pod('b'), withIp, ipBlockPolicy).notes).toEqual(['2 pods have no IP (no status.podIP): ipBlock rules cannot match them'])
    expect(load(pod('a'), policy({ podSelector: {} })).notes).toEqual([])
  })

  it('lets the later duplicate win, with a note', () => {
    const snapshot = load(pod('a', { spec: { nodeName: 'first' } }), pod('a', { spec: { nodeName: 'second' } }))
    expect(snapshot.pods.map((p) => p.nodeName)).toEqual(['second'])
    expect(snapshot.notes).toEqual([`Pod default/a is defined more than once (${FILE} document 0 and ${FILE} document 1): the later one wins`])
  })
})

describe('validation errors carry file, document and field', () => {
  const cases: Array<{ rule: string; objects: unknown[]; document?: number; field: string | undefined; message: RegExp }> = [
    { rule: 'document must be an object', objects: [['a']], field: undefined, message: /expected a Kubernetes object/ },
    { rule: 'kind is required', objects: [{ metadata: { name: 'x' } }], field: 'kind', message: /kind is missing/ },
    { rule: 'metadata.name is required', objects: [pod('ok'), { kind: 'Pod', metadata: {} }], document: 1, field: 'metadata.name', message: /metadata.name is missing/ },
    { rule: 'label values must be strings', objects: [{ kind: 'Pod', metadata: { name: 'p', labels: { version: 2 } } }], field: 'metadata.labels[version]', message: /must be a string/ },
    { rule: 'at most two policyTypes', objects: [policy({ policyTypes: ['Ingress', 'Egress', 'Ingress'] })], field: 'spec.policyTypes', message: /more than two policyTypes/ },
    { rule: 'matchLabels keys are qualified names', objects: [selectorPolicy({ matchLabels: { 'app@b': 'x' } })], field: 'spec.podSelector.matchLabels', message: /label key "app@b": the name part must be/ },
    { rule: 'matchLabels values are label values', objects: [selectorPolicy({ matchLabels: { app: 'a b' } })], field: 'spec.podSelector.matchLabels', message: /label value "a b" must be/ },
    { rule: 'label values are at most 63 characters', objects: [selectorPolicy({ matchLabels: { app: 'a'.repeat(64) } })], field: 'spec.podSelector.matchLabels', message: /label value/ },
    { rule: 'label key prefixes are DNS subdomains', objects: [selectorPolicy({ matchLabels: { 'Example.com/app': 'x' } })], field: 'spec.podSelector.matchLabels', message: /the prefix of label key "Example.com\/app" must be a DNS subdomain/ },
    { rule: 'label keys have at most one /', objects: [selectorPolicy({ matchLabels: { 'a/b/c': 'x' } })], field: 'spec.podSelector.matchLabels', message: /more than one '\/'/ },
    { rule: 'matchExpressions keys are qualified names', objects: [selectorPolicy({ matchExpressions: [{ key: '$a', operator: 'Exists' }] })], field: 'spec.podSelector.matchExpressions[0].key', message: /label key "\$a"/ },
    { rule: 'matchExpressions values are label values', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', '-bad'] }] })], field: 'spec.podSelector.matchExpressions[0].values[1]', message: /label value "-bad"/ },
    { rule: 'peer selectors\' label keys are validated', objects: [ingressPeer({ namespaceSelector: { matchLabels: { 'name@': 'x' } } })], field: 'spec.ingress[0].from[0].namespaceSelector.matchLabels', message: /label key "name@"/ },
    { rule: 'metadata.labels keys are validated', objects: [{ kind: 'Pod', metadata: { name: 'p', labels: { 'app@b': 'x' } } }], field: 'metadata.labels', message: /label key "app@b"/ },
    { rule: 'metadata.labels values are validated', objects: [{ kind: 'Namespace', metadata: { name: 'n', labels: { team: 'a/b' } } }], field: 'metadata.labels', message: /label value "a\/b"/ },
    { rule: 'template labels are validated', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: { labels: { app: 'x y' } } } } }], field: 'spec.template.metadata.labels', message: /label value "x y"/ },
    { rule: 'object names are DNS subdomains', objects: [{ kind: 'Pod', metadata: { name: 'Web_1' } }], field: 'metadata.name', message: /"Web_1" must be a DNS subdomain/ },
    { rule: 'namespace names are DNS labels', objects: [{ kind: 'Namespace', metadata: { name: 'shop.eu' } }], field: 'metadata.name', message: /must be a DNS label/ },
    { rule: 'service names are DNS-1035 labels', objects: [{ kind: 'Service', metadata: { name: '1svc' } }], field: 'metadata.name', message: /DNS-1035 label/ },
    { rule: 'metadata.namespace is a DNS label', objects: [{ kind: 'Pod', metadata: { name: 'p', namespace: 'Prod' } }], field: 'metadata.namespace', message: /"Prod" must be a DNS label/ },
    { rule: 'container port names are IANA service names', objects: [pod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'HTTP' }] }] } })], field: 'spec.containers[0].ports[0].name', message: /not a valid port name/ },
    { rule: 'container port names are unique in a container', objects: [pod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] }] } })], field: 'spec.containers[0].ports[1].name', message: /duplicate port name "http"/ },
    { rule: 'policyTypes entries are Ingress or Egress', objects: [policy({ podSelector: {}, policyTypes: ['Ingress', 'ingress'] })], field: 'spec.policyTypes[1]', message: /"Ingress" or "Egress", got "ingress"/ },
    { rule: 'unknown spec fields are rejected', objects: [policy({ podSelector: {}, ingres: [] })], field: 'spec.ingres', message: /unknown field "ingres"/ },
    { rule: 'unknown rule fields are rejected rather than read as an absent from', objects: [policy({ podSelector: {}, ingress: [{ _from: [{ podSelector: {} }] }] })], field: 'spec.ingress[0]._from', message: /unknown field "_from"; expected one of from, ports/ },
    { rule: 'an empty peer is rejected', objects: [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }, {}] }] })], field: 'spec.ingress[0].from[1]', message: /empty peer/ },
    { rule: 'ipBlock cannot be combined with a selector', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} })], field: 'spec.ingress[0].from[0]', message: /cannot combine ipBlock/ },
    { rule: 'ipBlock.cidr is required', objects: [ingressPeer({ ipBlock: {} })], field: 'spec.ingress[0].from[0].ipBlock.cidr', message: /cidr is missing/ },
    { rule: 'ipBlock.cidr must be a CIDR', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.1' } })], field: 'spec.ingress[0].from[0].ipBlock.cidr', message: /"10.0.0.1" is not a valid CIDR/ },
    { rule: 'ipBlock.cidr prefix must fit the family', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/33' } })], field: 'spec.ingress[0].from[0].ipBlock.cidr', message: /not a valid CIDR/ },
    { rule: 'except must be a CIDR', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['nope'] } })], field: 'spec.ingress[0].from[0].ipBlock.except[0]', message: /"nope" is not a valid CIDR/ },
    { rule: 'except outside the cidr is rejected', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '11.0.0.0/16'] } })], field: 'spec.ingress[0].from[0].ipBlock.except[1]', message: /not strictly inside cidr/ },
    { rule: 'except equal to the cidr is rejected', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } })], field: 'spec.ingress[0].from[0].ipBlock.except[0]', message: /not strictly inside cidr/ },
    { rule: 'except of the other family is rejected', objects: [ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/16'] } })], field: 'spec.ingress[0].from[0].ipBlock.except[0]', message: /same family/ },
    { rule: 'protocol must be TCP, UDP or SCTP', objects: [ingressPort({ protocol: 'ICMP' })], field: 'spec.ingress[0].ports[0].protocol', message: /one of TCP, UDP, SCTP, got "ICMP"/ },
    { rule: 'protocol is case-sensitive', objects: [ingressPort({ protocol: 'tcp' })], field: 'spec.ingress[0].ports[0].protocol', message: /case-sensitive: write TCP/ },
    { rule: 'port 0 is out of range', objects: [ingressPort({ port: 0 })], field: 'spec.ingress[0].ports[0].port', message: /integer 1–65535, got number 0/ },
    { rule: 'port above 65535 is out of range', objects: [ingressPort({ port: 65536 })], field: 'spec.ingress[0].ports[0].port', message: /integer 1–65535/ },
    { rule: 'port must be an integer', objects: [ingressPort({ port: 80.5 })], field: 'spec.ingress[0].ports[0].port', message: /integer 1–65535/ },
    { rule: 'numeric string port "80" is rejected', objects: [ingressPort({ port: '80' })], field: 'spec.ingress[0].ports[0].port', message: /"80" is a string, not a number; write the port without quotes/ },
    { rule: 'port name with uppercase is rejected', objects: [ingressPort({ port: 'HTTP' })], field: 'spec.ingress[0].ports[0].port', message: /not a valid port name/ },
    { rule: 'port name longer than 15 is rejected', objects: [ingressPort({ port: 'a-very-long-port-name' })], field: 'spec.ingress[0].ports[0].port', message: /not a valid port name/ },
    { rule: 'port name with double dash is rejected', objects: [ingressPort({ port: 'http--alt' })], field: 'spec.ingress[0].ports[0].port', message: /not a valid port name/ },
    { rule: 'port name with leading dash is rejected', objects: [ingressPort({ port: '-http' })], field: 'spec.ingress[0].ports[0].port', message: /not a valid port name/ },
    { rule: 'port name without a letter is rejected', objects: [ingressPort({ port: '80-80' })], field: 'spec.ingress[0].ports[0].port', message: /not a valid port name/ },
    { rule: 'endPort with a named port is rejected', objects: [ingressPort({ port: 'http', endPort: 90 })], field: 'spec.ingress[0].ports[0].endPort', message: /named port "http"/ },
    { rule: 'endPort without port is rejected', objects: [ingressPort({ endPort: 90 })], field: 'spec.ingress[0].ports[0].endPort', message: /requires port/ },
    { rule: 'endPort below port is rejected', objects: [ingressPort({ port: 100, endPort: 90 })], field: 'spec.ingress[0].ports[0].endPort', message: /less than port 100/ },
    { rule: 'endPort above 65535 is rejected', objects: [ingressPort({ port: 100, endPort: 70000 })], field: 'spec.ingress[0].ports[0].endPort', message: /integer 1–65535/ },
    { rule: 'matchLabels values must be strings', objects: [selectorPolicy({ matchLabels: { tier: true } })], field: 'spec.podSelector.matchLabels[tier]', message: /must be a string, got boolean true/ },
    { rule: 'unknown operator is rejected', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] })], field: 'spec.podSelector.matchExpressions[0].operator', message: /unknown operator "Equals"/ },
    { rule: 'In needs values', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })], field: 'spec.podSelector.matchExpressions[0].values', message: /In needs a non-empty values list/ },
    { rule: 'NotIn needs values', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] })], field: 'spec.podSelector.matchExpressions[0].values', message: /NotIn needs/ },
    { rule: 'Exists must have no values', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })], field: 'spec.podSelector.matchExpressions[0].values', message: /Exists must not have values/ },
    { rule: 'DoesNotExist must have no values', objects: [selectorPolicy({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] })], field: 'spec.podSelector.matchExpressions[0].values', message: /DoesNotExist must not have values/ },
    { rule: 'requirement key is required', objects: [selectorPolicy({ matchExpressions: [{ operator: 'Exists' }] })], field: 'spec.podSelector.matchExpressions[0].key', message: /key is missing/ },
    { rule: 'peer namespaceSelector is validated', objects: [ingressPeer({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'in', values: ['b'] }] } })], field: 'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator', message: /unknown operator "in"/ },
    { rule: 'egress peers are validated', objects: [policy({ podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { a: 1 } } }] }] })], field: 'spec.egress[0].to[0].podSelector.matchLabels[a]', message: /must be a string/ },
    { rule: 'containerPort must be in range', objects: [pod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 70000 }] }] } })], field: 'spec.containers[0].ports[0].containerPort', message: /integer 1–65535/ },
    { rule: 'containerPort is required', objects: [pod('p', { spec: { containers: [{ name: 'c', ports: [{ name: 'http' }] }] } })], field: 'spec.containers[0].ports[0].containerPort', message: /containerPort is missing/ },
    { rule: 'container protocol must be valid', objects: [pod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'Udp' }] }] } })], field: 'spec.containers[0].ports[0].protocol', message: /case-sensitive: write UDP/ },
    { rule: 'template container ports are validated', objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ ports: [{ containerPort: 0 }] }] } } } }], field: 'spec.template.spec.containers[0].ports[0].containerPort', message: /integer 1–65535/ },
    { rule: 'pod IPs must be addresses', objects: [pod('p', { status: { podIP: '10.0.0.300' } })], field: 'status.podIP', message: /not a valid IPv4 or IPv6 address/ },
  ]

  it.each(cases)('$rule', ({ objects, document = objects.length - 1, field, message }) => {
    const error = inputErrorOf(() => load(...objects))
    expect(error.location).toEqual({ file: FILE, document, field })
    expect(error.message).toMatch(message)
    expect(error.exitCode).toBe(2)
  })

  it.each([
    { rule: 'IPv6 cidr with except is accepted', peer: { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } } },
    { rule: 'cidr with host bits is accepted', peer: { ipBlock: { cidr: '10.1.2.3/4' } } },
    { rule: 'except with host bits inside the network is accepted', peer: { ipBlock: { cidr: '10.1.2.3/8', except: ['10.200.1.1/16'] } } },
    { rule: 'podSelector and namespaceSelector together are accepted', peer: { podSelector: {}, namespaceSelector: { matchLabels: { a: 'b' } } } },
  ])('$rule', ({ peer }) => {
    expect(load(ingressPeer(peer)).policies[0].spec.ingress).toStrictEqual([{ from: [peer] }])
  })

  it('an omitted spec is the empty one: every pod, isolated for ingress', () => {
    expect(load({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' } }).policies[0].spec).toEqual({ podSelector: {} })
  })

  it.each([
    { rule: 'an omitted podSelector is {} (every pod), as the API server reads it', spec: {} },
    { rule: 'a null podSelector is {}', spec: { podSelector: null } },
  ])('$rule', ({ spec }) => {
    expect(load(policy(spec)).policies[0].spec.podSelector).toEqual({})
  })

  it.each([
    { rule: 'prefixed keys, dots, underscores and empty values are accepted', selector: { matchLabels: { 'app.kubernetes.io/name': 'My_app.v1', empty: '' } } },
    { rule: 'a 63-character key name and value are accepted', selector: { matchLabels: { ['k'.repeat(63)]: 'v'.repeat(63) } } },
    { rule: 'expression values are label values', selector: { matchExpressions: [{ key: 'example.com/tier', operator: 'NotIn', values: ['a-b', 'C_9'] }] } },
  ])('$rule', ({ selector }) => {
    expect(load(selectorPolicy(selector)).policies[0].spec.podSelector).toEqual(selector)
  })

  it('defaults a service\'s absent targetPort to its port, as the API server does', () => {
    const service = { kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }
    expect(load(service).services[0].ports).toEqual([{ port: 80, targetPort: 80, protocol: 'TCP' }])
  })

  it.each([
    { rule: 'port 1 is accepted', port: { port: 1 } },
    { rule: 'port 65535 is accepted', port: { port: 65535 } },
    { rule: 'a 15-character port name is accepted', port: { port: 'abcdefghijklmno' } },
    { rule: 'a port name with inner dashes and digits is accepted', port: { port: 'h2-c' } },
    { rule: 'endPort equal to port is accepted', port: { port: 80, endPort: 80, protocol: 'SCTP' } },
  ])('$rule', ({ port }) => {
    expect(load(ingressPort(port)).policies[0].spec.ingress).toStrictEqual([{ ports: [port] }])
  })
})

describe('the workload that runs a pod', () => {
  const owned = (name: string, owner: { kind: string; name: string } | undefined, labels: Record<string, string> = {}) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'x', ...labels }, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', ...owner, uid: 'u', controller: true }] } : {}) },
  })
  const ownerOf = (...objects: unknown[]) => load(...objects).pods.find((p) => !p.template)?.owner

  it('a ReplicaSet whose name is the pod-template-hash after a name was made by the Deployment of that name', () => {
    expect(ownerOf(owned('web-5d8f9c7b6d-x2k9p', { kind: 'ReplicaSet', name: 'web-5d8f9c7b6d' }, { 'pod-template-hash': '5d8f9c7b6d' }))).toEqual({ kind: 'Deployment', name: 'web' })
  })

  it('a ReplicaSet without the hash is the workload itself', () => {
    expect(ownerOf(owned('web-x2k9p', { kind: 'ReplicaSet', name: 'web' }))).toEqual({ kind: 'ReplicaSet', name: 'web' })
  })

  it('a Job of a CronJob in the input names the CronJob', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-29400000', namespace: 'shop', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'u', controller: true }] }, spec: { template: {} } }
    expect(ownerOf(owned('report-29400000-q7w2z', { kind: 'Job', name: 'report-29400000' }), job)).toEqual({ kind: 'CronJob', name: 'report' })
  })

  it('a StatefulSet pod names its StatefulSet; a mirror pod (owned by its Node) and a bare pod have no workload', () => {
    expect(ownerOf(owned('db-0', { kind: 'StatefulSet', name: 'db' }))).toEqual({ kind: 'StatefulSet', name: 'db' })
    expect(ownerOf(owned('etcd-node1', { kind: 'Node', name: 'node1' }))).toBeUndefined()
    expect(ownerOf(owned('debug', undefined))).toBeUndefined()
  })

  it('a dump with the Deployment, its ReplicaSet and their pods keeps the pods only, each naming the Deployment', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template } }
    const replicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d8f9c7b6d', namespace: 'shop', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }] }, spec: { template } }
    const snapshot = load(deployment, replicaSet, owned('web-5d8f9c7b6d-x2k9p', { kind: 'ReplicaSet', name: 'web-5d8f9c7b6d' }))
    expect(snapshot.pods.map((p) => [p.name, p.owner])).toEqual([['web-5d8f9c7b6d-x2k9p', { kind: 'Deployment', name: 'web' }]])
    expect(snapshot.notes).toContain('pods in the input stand for their workload instead of its pod template: Deployment shop/web, ReplicaSet shop/web-5d8f9c7b6d')
  })
})
