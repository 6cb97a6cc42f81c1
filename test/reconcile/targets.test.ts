import { describe, expect, it } from 'vitest'
import type { Verdict } from '../../src/evaluate/evaluate.js'
import type { Observation, ProbeResult } from '../../src/model/probe.js'
import type { ProbeJob } from '../../src/plan/plan.js'
import { reconcileOne } from '../../src/reconcile/reconcile.js'
import { compareTargets } from '../../src/reconcile/targets.js'

const podJob: ProbeJob = {
  id: 'x/c>x/api:TCP/8080', from: { key: 'x/c' } as ProbeJob['from'], to: { key: 'x/api' } as ProbeJob['to'], port: 8080, protocol: 'TCP',
  target: { host: '198.18.0.9', port: 8080 }, sourceMembers: ['x/c'],
}
const standInJob: ProbeJob = { ...podJob, id: `${podJob.id}@stand-in`, target: { host: '198.18.0.77', port: 8080, standIn: 'x/netpol-stand-in-1' } }
const ran = (observation: Observation): ProbeResult => ({ jobId: 'j', ran: true, observation, elapsedMs: 3, detail: '' })

function pair(standIn: Observation, pod: Observation | ProbeResult, allowed = true) {
  const prediction = { allowed } as Verdict
  return compareTargets([
    reconcileOne({ job: podJob, prediction, result: typeof pod === 'string' ? ran(pod) : pod, attempts: 1, serverListens: false }),
    reconcileOne({ job: standInJob, prediction, result: ran(standIn), attempts: 1, serverListens: true }),
  ])
}

describe('where the real pod differs from its stand-in (--target both)', () => {
  it('the stand-in is reached and the pod refuses: the application does not listen on that port', () => {
    expect(pair('connected', 'refused')).toEqual([expect.objectContaining({
      from: 'x/c', to: 'x/api', standIn: 'allowed', pod: 'refused', finding: expect.stringMatching(/the pod is reached but refuses: the application does not listen on TCP 8080/),
    })])
  })

  it('the stand-in is reached and the pod times out: something besides NetworkPolicy drops it at the pod', () => {
    expect(pair('connected', 'timeout')[0].finding).toMatch(/something besides NetworkPolicy/)
  })

  it('the pod is reached but its stand-in is not: the enforcer treats the pod differently from its labels', () => {
    expect(pair('refused', 'connected', false)[0].finding).toMatch(/treats the pod differently/)
  })

  it('the same answer, or two kinds of denial, or a pod check that measured nothing: no difference', () => {
    expect(pair('connected', 'connected')).toEqual([])
    expect(pair('refused', 'timeout', false)).toEqual([])
    expect(pair('connected', { jobId: 'j', ran: false, reason: 'unverifiable', detail: '' })).toEqual([])
  })
})

describe('the strict verdicts of a check to a stand-in', () => {
  const verdict = (allowed: boolean, observation: Observation) =>
    reconcileOne({ job: standInJob, prediction: { allowed } as Verdict, result: ran(observation), attempts: 3, serverListens: true })

  it('refused where a stand-in listens is the policy: over-enforced when allowed, agreement when denied', () => {
    expect(verdict(true, 'refused').verdict).toBe('over-enforced')
    expect(verdict(false, 'refused')).toMatchObject({ verdict: 'agree', note: 'refused: the CNI rejects denied connections' })
  })

  it('a timeout is the policy, connected is allowed', () => {
    expect(verdict(true, 'timeout').verdict).toBe('over-enforced')
    expect(verdict(false, 'connected').verdict).toBe('under-enforced')
  })

  it('a check that fell back to the real pod says so in its note', () => {
    const fallback = { ...podJob, target: { ...podJob.target, fallback: 'dialled the real pod, not a stand-in: Service x/peers publishes not-ready addresses' } }
    expect(reconcileOne({ job: fallback, prediction: { allowed: true } as Verdict, result: ran('refused'), attempts: 1, serverListens: false }))
      .toMatchObject({ verdict: 'unknown', note: expect.stringMatching(/nothing listens.*; dialled the real pod, not a stand-in: Service x\/peers/) })
  })
})
