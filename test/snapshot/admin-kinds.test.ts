// AdminNetworkPolicy and BaselineAdminNetworkPolicy read from manifests, with the validation of the
// policy.networking.k8s.io/v1alpha1 CRDs (sigs.k8s.io/network-policy-api config/crd); and
// ClusterNetworkPolicy (v1alpha2), which is read only to be reported as not evaluated.
import { describe, expect, it } from 'vitest'
import { lint, lintScopeOf } from '../../src/evaluate/lint.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { InputError } from '../../src/model/errors.js'
import { snapshotFromObjects } from '../../src/snapshot/objects.js'

const FILE = 'admin.yaml'
const API = 'policy.networking.k8s.io/v1alpha1'

function load(...objects: unknown[]) {
  return snapshotFromObjects(objects.map((object, index) => ({ file: FILE, index, object })))
}

function errorOf(...objects: unknown[]): InputError {
  try {
    load(...objects)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('expected an InputError')
}

const anp = (spec: Record<string, unknown>, name = 'deny-y') => ({ apiVersion: API, kind: 'AdminNetworkPolicy', metadata: { name }, spec })
const subject = { namespaces: { matchLabels: { team: 'x' } } }
const denyFromY = { name: 'no-y', action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'y' } } }] }

describe('AdminNetworkPolicy from manifests', () => {
  it('keeps priority, subject, rule names, actions, peers and ports (portNumber defaults to TCP)', () => {
    const snapshot = load(anp({
      priority: 10,
      subject,
      ingress: [{ ...denyFromY, ports: [{ portNumber: { port: 80 } }, { portRange: { protocol: 'UDP', start: 5000, end: 5010 } }, { namedPort: 'http' }] }],
      egress: [{ action: 'Pass', to: [{ networks: ['198.19.0.0/16'] }, { nodes: { matchLabels: { role: 'db' } } }] }],
    }))
    expect(snapshot.clusterPolicies).toEqual([{
      tier: 'admin', name: 'deny-y', priority: 10, subject,
      ingress: [{ name: 'no-y', action: 'Deny', peers: [{ namespaces: { matchLabels: { team: 'y' } } }], ports: [{ portNumber: { protocol: 'TCP', port: 80 } }, { portRange: { protocol: 'UDP', start: 5000, end: 5010 } }, { namedPort: 'http' }] }],
      egress: [{ action: 'Pass', peers: [{ networks: ['198.19.0.0/16'] }, { nodes: { matchLabels: { role: 'db' } } }] }],
    }])
  })

  it.each([
    ['priority out of 0–1000', anp({ priority: 1001, subject }), 'spec.priority', /integer 0–1000/],
    ['a subject with both namespaces and pods', anp({ priority: 1, subject: { ...subject, pods: { namespaceSelector: {}, podSelector: {} } } }), 'spec.subject', /exactly one of namespaces, pods/],
    ['an unknown action', anp({ priority: 1, subject, ingress: [{ ...denyFromY, action: 'Drop' }] }), 'spec.ingress[0].action', /Allow, Deny, Pass/],
    ['a rule without peers', anp({ priority: 1, subject, ingress: [{ action: 'Deny', from: [] }] }), 'spec.ingress[0].from', /at least one peer/],
    ['an ingress peer of an egress-only type', anp({ priority: 1, subject, ingress: [{ action: 'Deny', from: [{ networks: ['10.0.0.0/8'] }] }] }), 'spec.ingress[0].from[0].networks', /unknown field "networks"; expected one of namespaces, pods/],
    ['a port entry with two fields', anp({ priority: 1, subject, ingress: [{ ...denyFromY, ports: [{ namedPort: 'http', portNumber: { port: 80 } }] }] }), 'spec.ingress[0].ports[0]', /exactly one/],
    ['a port range ending before it starts', anp({ priority: 1, subject, ingress: [{ ...denyFromY, ports: [{ portRange: { start: 90, end: 80 } }] }] }), 'spec.ingress[0].ports[0].portRange.end', /less than start/],
    ['an invalid CIDR in networks', anp({ priority: 1, subject, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/33'] }] }] }), 'spec.egress[0].to[0].networks[0]', /not a valid CIDR/],
    ['a namedPort with a networks peer (CRD rule)', anp({ priority: 1, subject, egress: [{ action: 'Deny', to: [{ networks: ['10.0.0.0/8'] }], ports: [{ namedPort: 'http' }] }] }), 'spec.egress[0].ports', /no named ports/],
  ])('rejects %s, naming the field', (_, object, field, message) => {
    const error = errorOf(object)
    expect(error.location).toEqual({ file: FILE, document: 0, field })
    expect(error.message).toMatch(message)
  })
})

describe('BaselineAdminNetworkPolicy from manifests', () => {
  const banp = (name: string, action = 'Deny') => ({ apiVersion: API, kind: 'BaselineAdminNetworkPolicy', metadata: { name }, spec: { subject, ingress: [{ ...denyFromY, action }] } })

  it('is the baseline tier, without a priority', () => {
    expect(load(banp('default')).clusterPolicies?.map((p) => [p.tier, p.name, p.priority])).toEqual([['baseline', 'default', undefined]])
  })

  it('must be named "default"', () => {
    expect(errorOf(banp('other')).location.field).toBe('metadata.name')
  })

  it('has no Pass action', () => {
    expect(errorOf(banp('default', 'Pass')).message).toMatch(/Allow, Deny, got "Pass"/)
  })
})

describe('ClusterNetworkPolicy (v1alpha2)', () => {
  it('is not evaluated, and lint says so (a warning --strict counts)', () => {
    const snapshot = load({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'tier-admin' }, spec: { tier: 'Admin' } })
    expect(snapshot.unevaluatedPolicies).toEqual([{ policy: 'ClusterNetworkPolicy/tier-admin', reason: 'policy.networking.k8s.io/v1alpha2 is not supported yet' }])
    const warnings = lint(createEvaluator(snapshot), lintScopeOf(snapshot))
    expect(warnings).toEqual([expect.objectContaining({ code: 'policy-not-evaluated', policy: 'ClusterNetworkPolicy/tier-admin' })])
    expect(warnings[0].message).toMatch(/prediction ignores it/)
  })
})
