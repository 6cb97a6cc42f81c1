import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../src/evaluate/evaluate.js'
import type { ProbeJob } from '../../src/plan/plan.js'
import { diagnose, orderForReport, reconcileOne, summarize } from '../../src/reconcile/reconcile.js'
import { NEIGHBOUR_INCONCLUSIVE, type Observation, type ProbeResult } from '../../src/model/probe.js'

function job(id: string, from = 'x/a'): ProbeJob {
  return { id, from: { key: from } as ProbeJob['from'], to: { key: 'y/b' } as ProbeJob['to'], port: 80, protocol: 'TCP', target: { host: '198.18.0.9', port: 80 }, sourceMembers: [from] }
}
const prediction = (allowed: boolean) => ({ allowed }) as Verdict
const ran = (observation: Observation, detail = ''): ProbeResult => ({ jobId: 'j', ran: true, observation, elapsedMs: 5, detail })

function check(predictedAllowed: boolean, result: ProbeResult, serverListens = false, id = 'j', from = 'x/a') {
  return reconcileOne({ job: job(id, from), prediction: prediction(predictedAllowed), result, attempts: 1, serverListens })
}

describe('reconciling a prediction with an observation', () => {
  const cases: Array<[string, boolean, ProbeResult, boolean, string, string]> = [
    ['allowed and connected agree', true, ran('connected'), false, 'allowed', 'agree'],
    ['denied and timed out agree', false, ran('timeout'), false, 'blocked', 'agree'],
    ['denied and refused agree (CNIs that reject)', false, ran('refused'), false, 'refused', 'agree'],
    ['denied but connected is under-enforced', false, ran('connected'), false, 'allowed', 'under-enforced'],
    ['allowed but timed out is over-enforced', true, ran('timeout'), false, 'blocked', 'over-enforced'],
    ['allowed but refused is unknown when nobody knows whether a server listens', true, ran('refused'), false, 'refused', 'unknown'],
    ['allowed but refused is over-enforced when a server is known to listen', true, ran('refused'), true, 'refused', 'over-enforced'],
    ['a probe that could not run is unknown, never blocked', false, { jobId: 'j', ran: false, reason: 'pod-failed', detail: 'image pull failed' }, false, 'unknown', 'unknown'],
    ['UDP without a responder is unverifiable', true, { jobId: 'j', ran: false, reason: 'unverifiable', detail: '' }, false, 'unverifiable', 'unknown'],
    ['a probe error is unknown', true, ran('error', 'Protocol not supported'), false, 'error', 'unknown'],
    ['a DNS failure is unknown', true, ran('dns-failure'), false, 'dns-failure', 'unknown'],
  ]
  it.each(cases)('%s', (_rule, predictedAllowed, result, listens, observed, verdict) => {
    const c = check(predictedAllowed, result, listens)
    expect([c.observed, c.verdict]).toEqual([observed, verdict])
  })

  it('the report lists under-enforced first, then over-enforced, unknown, agree', () => {
    const checks = [check(true, ran('connected'), false, 'a'), check(true, ran('timeout'), false, 'b'), check(false, ran('connected'), false, 'c'), check(true, ran('error'), false, 'd')]
    expect(orderForReport(checks).map((c) => c.verdict)).toEqual(['under-enforced', 'over-enforced', 'unknown', 'agree'])
    expect(summarize(checks)).toEqual({ checks: 4, agree: 1, overEnforced: 1, underEnforced: 1, unknown: 1 })
  })
})

describe('diagnoses', () => {
  it('every predicted-deny going through means the CNI does not enforce', () => {
    const checks = [check(false, ran('connected'), false, 'a'), check(false, ran('connected'), false, 'b'), check(true, ran('connected'), false, 'c')]
    expect(diagnose(checks).join('\n')).toMatch(/does not appear to enforce NetworkPolicy: all 2/)
  })

  it('one enforced deny is enough to rule that out', () => {
    const checks = [check(false, ran('connected'), false, 'a'), check(false, ran('timeout'), false, 'b')]
    expect(diagnose(checks).join('\n')).not.toMatch(/does not appear to enforce/)
  })

  it('DNS failures point at missing DNS egress, naming the source', () => {
    expect(diagnose([check(true, ran('dns-failure'), false, 'a', 'shop/web')]).join('\n')).toMatch(/shop\/web.*missing DNS egress/)
  })

  it('destinations that never answered ARP are unknown, and point at the node\'s neighbour table, not at a policy', () => {
    const unresolved = check(true, ran('unresolved', 'no ARP answer from 198.18.0.5: the node did not resolve the address (is its neighbour table full?), so no policy was involved'))
    expect(unresolved).toMatchObject({ observed: 'error', verdict: 'unknown' })
    expect(diagnose([unresolved]).join('\n')).toMatch(/1 check\(s\) got no ARP answer .*neighbour table may be full/)
  })

  it('timeouts while the node\'s neighbour table was full are unknown, and the diagnosis names the table and what to do', () => {
    const timedOut = check(true, { jobId: 'j', ran: false, reason: 'not-probed', detail: NEIGHBOUR_INCONCLUSIVE })
    expect(timedOut).toMatchObject({ observed: 'unknown', verdict: 'unknown', note: NEIGHBOUR_INCONCLUSIVE })
    expect(diagnose([timedOut])).toEqual([expect.stringMatching(/^1 check\(s\) timed out while the probe pods saw the node's neighbour \(ARP\) table full .*gc_thresh3.*--max-probe-pods/)])
  })

  it('a check left inconclusive is not reported as a probe that never ran', () => {
    const inconclusive = check(true, { jobId: 'j', ran: false, reason: 'not-probed', detail: 'inconclusive: the probe could not get a timely answer from anything' })
    expect(diagnose([inconclusive])).toEqual([])
  })

  it('probes that never ran are named with the reason', () => {
    const failed = check(true, { jobId: 'j', ran: false, reason: 'pod-failed', detail: 'probe pod stuck Pending: 0/1 nodes are available' }, false, 'a', 'x/b')
    expect(diagnose([failed])).toEqual(['no probe ran for x/b: probe pod stuck Pending: 0/1 nodes are available'])
  })
})
