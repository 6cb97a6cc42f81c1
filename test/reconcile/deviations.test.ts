import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { NetworkPolicy } from '../../src/model/cluster.js'
import type { ProbeJob } from '../../src/plan/plan.js'
import { KNOWN_DEVIATIONS, knownDeviation, nameKnownDeviation } from '../../src/reconcile/deviations.js'
import { reconcileOne, type ReconciledCheck } from '../../src/reconcile/reconcile.js'
import type { Observation } from '../../src/probe/script.js'
import { policy, upstreamWorld } from '../support/world.js'

/** x/a → x/b TCP/80 under the given policies, predicted by the evaluator and observed as given. */
function measured(policies: NetworkPolicy[], observation: Observation, to = 'x/b'): ReconciledCheck {
  const evaluator = createEvaluator(upstreamWorld(policies))
  const from = evaluator.endpoint('x/a')!
  const destination = evaluator.endpoint(to)!
  const job = { id: 'j', from, to: destination, port: 80, protocol: 'TCP', target: { host: '198.18.1.11', port: 80 }, sourceMembers: ['x/a'] } as ProbeJob
  const prediction = evaluator.evaluate({ from, to: destination, port: 80, protocol: 'TCP' }, { loopback: 'policy' })
  return reconcileOne({ job, prediction, result: { jobId: 'j', ran: true, observation, elapsedMs: 5, detail: '' }, attempts: 3, serverListens: true })
}

const egressDenyAll = policy('x', 'deny-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] })
const ingressFromAnyone = policy('x', 'b-from-anyone', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ ports: [{ port: 80 }] }] })
const ingressFromA = policy('x', 'b-from-a', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'a' } } }] }] })

describe('kube-router: an ingress rule with no `from` admits a connection the source\'s egress denies', () => {
  it('names the deviation when the source is egress-isolated and the destination admits every source', () => {
    const check = measured([egressDenyAll, ingressFromAnyone], 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-router')?.id).toBe('kube-router/ingress-from-all-skips-egress')
    const named = nameKnownDeviation(check, 'kube-router')
    expect(named.verdict).toBe('under-enforced')
    expect(named.knownDeviation).toBe('kube-router/ingress-from-all-skips-egress')
    expect(named.note).toMatch(/^known kube-router deviation \(kube-router\/ingress-from-all-skips-egress\): an ingress rule with no `from`/)
  })

  it('does not apply when the ingress rule names its sources', () => {
    expect(knownDeviation(measured([egressDenyAll, ingressFromA], 'connected'), 'kube-router')).toBeUndefined()
  })

  it('does not apply when the connection is blocked as predicted', () => {
    expect(knownDeviation(measured([egressDenyAll, ingressFromAnyone], 'refused'), 'kube-router')).toBeUndefined()
  })

  it('does not apply to another enforcer, nor when the enforcer is not known', () => {
    const check = measured([egressDenyAll, ingressFromAnyone], 'connected')
    expect(knownDeviation(check, 'kube-network-policies')).toBeUndefined()
    expect(nameKnownDeviation(check, undefined)).toBe(check)
  })
})

describe('the catalogue', () => {
  it('has unique ids prefixed by their enforcer', () => {
    const ids = KNOWN_DEVIATIONS.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const d of KNOWN_DEVIATIONS) expect(d.id.startsWith(`${d.enforcer}/`)).toBe(true)
  })
})
