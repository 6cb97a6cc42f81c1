import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { ClusterSnapshot } from '../../src/model/cluster.js'
import { planProbes, type ProbeJob } from '../../src/plan/plan.js'
import {
  planStandIns, targetJobs, unionOfPorts, type Placement, type StandInSurroundings,
} from '../../src/plan/stand-ins.js'
import { policy, upstreamPod, upstreamWorld } from '../support/world.js'

const nothingAround: StandInSurroundings = { services: [] }

function planned(world: ClusterSnapshot, around: Partial<StandInSurroundings> = {}) {
  const evaluator = createEvaluator(world)
  const x = evaluator.endpoints.filter((e) => e.key.startsWith('x/'))
  const { jobs } = planProbes(evaluator, { sources: x, destinations: x, ports: [], allPods: false, externals: [] })
  return { jobs, plan: planStandIns(evaluator, jobs, { ...nothingAround, ...around }) }
}

function reasonFor(plan: ReturnType<typeof planned>['plan'], destination: string): string | undefined {
  return plan.fallbacks.find((f) => f.destination === destination)?.reason
}

describe('planning destination stand-ins', () => {
  it('one stand-in per destination class, in its namespace, with its labels and every declared port by number and name', () => {
    const { plan } = planned(upstreamWorld())
    expect(plan.fallbacks).toEqual([])
    expect(plan.standIns.map((s) => s.destination).sort()).toEqual(['x/a', 'x/b', 'x/c'])
    const a = plan.standIns.find((s) => s.destination === 'x/a')!
    expect(a).toMatchObject({ namespace: 'x', labels: { pod: 'a' } })
    expect(a.ports).toContainEqual({ containerPort: 80, protocol: 'TCP', name: 'serve-80-tcp' })
    expect(a.ports).toHaveLength(6)
  })

  it('a pod with several containers: the union of their ports, each port and each name once', () => {
    expect(unionOfPorts([
      { containerPort: 8080, protocol: 'TCP', name: 'http' },
      { containerPort: 8080, protocol: 'TCP', name: 'web' },
      { containerPort: 8080, protocol: 'UDP', name: 'http' },
      { containerPort: 9090, protocol: 'TCP', name: 'metrics' },
    ])).toEqual([
      { containerPort: 8080, protocol: 'TCP', name: 'http' },
      { containerPort: 8080, protocol: 'UDP' },
      { containerPort: 9090, protocol: 'TCP', name: 'metrics' },
    ])
  })

  it('a Service publishing not-ready addresses that selects the destination: the real pod is dialled, with why', () => {
    const { plan } = planned(upstreamWorld(), { services: [{ namespace: 'x', name: 'peers', selector: { pod: 'a' }, publishNotReadyAddresses: true }] })
    expect(reasonFor(plan, 'x/a')).toMatch(/Service x\/peers publishes not-ready addresses/)
    expect(plan.standIns.map((s) => s.destination)).not.toContain('x/a')
  })

  it('an ordinary Service selecting the destination is no obstacle: a stand-in never becomes its endpoint', () => {
    const { plan } = planned(upstreamWorld(), { services: [{ namespace: 'x', name: 'web', selector: { pod: 'a' }, publishNotReadyAddresses: false }] })
    expect(plan.fallbacks).toEqual([])
  })

  it('a Service in another namespace, or selecting other labels, changes nothing', () => {
    const { plan } = planned(upstreamWorld(), {
      services: [
        { namespace: 'y', name: 'peers', selector: { pod: 'a' }, publishNotReadyAddresses: true },
        { namespace: 'x', name: 'others', selector: { pod: 'zz' }, publishNotReadyAddresses: true },
      ],
    })
    expect(plan.fallbacks).toEqual([])
  })

  it('an egress ipBlock containing the destination\'s address: the stand-in would be treated differently, so the real pod is dialled', () => {
    const world = upstreamWorld([policy('x', 'to-b', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] })])
    const { plan } = planned(world)
    expect(reasonFor(plan, 'x/b')).toMatch(/policy x\/to-b egress\[0\] has an ipBlock containing its address/)
    expect(reasonFor(plan, 'x/a')).toBeUndefined()
  })

  it('a host-network destination gets no stand-in', () => {
    const world = upstreamWorld()
    world.pods = world.pods.map((p) => (p.namespace === 'x' && p.name === 'c' ? upstreamPod('x', 'c', { hostNetwork: true }) : p))
    expect(reasonFor(planned(world).plan, 'x/c')).toMatch(/host network/)
  })
})

describe('the jobs a target dials', () => {
  const { jobs } = planned(upstreamWorld())
  const toA = jobs.filter((j) => j.to.key === 'x/a')
  const placement: Placement = { pod: 'x/netpol-stand-in-1', ip: '198.18.9.9', listening: new Set(['TCP/80', 'TCP/81', 'UDP/80', 'UDP/81']), unbound: new Map([['SCTP/80', 'socket: Protocol not supported'], ['SCTP/81', 'socket: Protocol not supported']]) }
  const placements = new Map([['x/a', placement]])
  const byKey = (list: ProbeJob[], protocol: string, port: number) => list.filter((j) => j.protocol === protocol && j.port === port)

  it('pods: the jobs as planned', () => {
    expect(targetJobs(toA, 'pods', placements, [])).toBe(toA)
  })

  it('stand-ins: the stand-in\'s address instead of the pod\'s, UDP measured by its echo', () => {
    const dialled = targetJobs(toA, 'stand-ins', placements, [])
    const udp = byKey(dialled, 'UDP', 80)
    expect(udp.every((j) => j.target.host === '198.18.9.9' && j.target.standIn === 'x/netpol-stand-in-1' && j.udpResponder === 'echo')).toBe(true)
    expect(dialled).toHaveLength(toA.length)
  })

  it('a port the stand-in could not listen on (SCTP without kernel support) dials the real pod and says why', () => {
    const sctp = byKey(targetJobs(toA, 'stand-ins', placements, []), 'SCTP', 80)
    expect(sctp.length).toBeGreaterThan(0)
    expect(sctp.every((j) => j.target.standIn === undefined && j.target.host === '198.18.1.10')).toBe(true)
    expect(sctp[0].target.fallback).toMatch(/could not listen on SCTP\/80 \(socket: Protocol not supported\)/)
  })

  it('both: the real pod\'s check and the stand-in\'s side by side, under different ids', () => {
    const dialled = targetJobs(toA, 'both', placements, [])
    const tcp = byKey(dialled, 'TCP', 80)
    expect(tcp.filter((j) => j.target.standIn).length).toBe(tcp.filter((j) => !j.target.standIn).length)
    expect(new Set(dialled.map((j) => j.id)).size).toBe(dialled.length)
  })

  it('a stand-in that did not start: its destination\'s checks dial the real pod with the reason', () => {
    const dialled = targetJobs(toA, 'stand-ins', new Map([['x/a', { failed: 'quota exceeded' }]]), [])
    expect(dialled.every((j) => j.target.standIn === undefined && /stand-in did not start: quota exceeded/.test(j.target.fallback ?? ''))).toBe(true)
  })
})
