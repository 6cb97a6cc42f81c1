import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { planProbes, type PlanOptions } from '../../src/plan/plan.js'
import { predictMatrix } from '../../src/evaluate/predict.js'
import { resolveRequest } from '../../src/evaluate/request.js'
import { askedPorts } from '../../src/evaluate/scope.js'
import type { Protocol } from '../../src/model/cluster.js'
import type { ClusterSnapshot } from '../../src/model/cluster.js'
import { policy, upstreamPod, upstreamWorld } from '../support/world.js'

function plan(world: ClusterSnapshot, options: Partial<PlanOptions> = {}) {
  const evaluator = createEvaluator(world)
  return planProbes(evaluator, { sources: evaluator.endpoints, destinations: evaluator.endpoints, ports: [], allPods: false, externals: [], ...options })
}

describe('planning probes', () => {
  it('by default checks every declared container port of every destination', () => {
    const { jobs } = plan(upstreamWorld())
    // 9 sources x 9 destinations x 6 declared ports (80/81 over TCP, UDP, SCTP)
    expect(jobs).toHaveLength(9 * 9 * 6)
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length)
  })

  it('--protocol without --port checks only the declared ports of that protocol, as predict does', () => {
    const { jobs } = plan(upstreamWorld(), { protocol: 'UDP' })
    expect(jobs).toHaveLength(9 * 9 * 2)
    expect(new Set(jobs.map((j) => `${j.protocol}/${j.port}`))).toEqual(new Set(['UDP/80', 'UDP/81']))
  })

  it('probes one representative per equivalence class, listing the pods it stands for', () => {
    const world = upstreamWorld()
    world.pods.push(upstreamPod('x', 'a2', { labels: { pod: 'a' }, ips: ['198.18.1.99'] }))
    const { jobs } = plan(world, { ports: [{ port: 80, protocol: 'TCP' }] })
    const fromXa = jobs.filter((j) => j.sourceMembers.includes('x/a2'))
    expect(new Set(fromXa.map((j) => j.from.key)).size).toBe(1)
    expect(fromXa[0].sourceMembers.sort()).toEqual(['x/a', 'x/a2'])
    expect(jobs).toHaveLength(9 * 9)
  })

  it('--all-pods probes every pod', () => {
    const world = upstreamWorld()
    world.pods.push(upstreamPod('x', 'a2', { labels: { pod: 'a' }, ips: ['198.18.1.99'] }))
    expect(plan(world, { ports: [{ port: 80, protocol: 'TCP' }], allPods: true }).jobs).toHaveLength(10 * 10)
  })

  it('skips hostNetwork sources and says why', () => {
    const world = upstreamWorld()
    world.pods.push(upstreamPod('x', 'agent', { hostNetwork: true, labels: { app: 'agent' } }))
    const { jobs, skipped } = plan(world, { ports: [{ port: 80, protocol: 'TCP' }] })
    expect(jobs.some((j) => j.from.key === 'x/agent')).toBe(false)
    expect(skipped).toEqual([{ pod: 'x/agent', reason: expect.stringMatching(/host network/) }])
  })

  it('resolves a named --port per destination and drops destinations that lack it', () => {
    const world = upstreamWorld()
    world.pods[0] = { ...world.pods[0], ports: [] }
    const { jobs } = plan(world, { ports: [{ port: 'serve-81-tcp', protocol: 'TCP' }] })
    expect(jobs.every((j) => j.target.port === 81)).toBe(true)
    expect(jobs.some((j) => j.to.key === 'x/a')).toBe(false)
  })

  it('UDP is observable only against a responder: DNS on 53, or a known echo port', () => {
    const { jobs } = plan(upstreamWorld(), { ports: [{ port: 80, protocol: 'UDP' }, { port: 81, protocol: 'UDP' }], udpEchoPorts: new Set(['81']) })
    expect(new Set(jobs.filter((j) => j.target.port === 80).map((j) => j.udpResponder))).toEqual(new Set([undefined]))
    expect(new Set(jobs.filter((j) => j.target.port === 81).map((j) => j.udpResponder))).toEqual(new Set(['echo']))
  })

  it('--service dials the Service name and port that forward to the container port', () => {
    const world = upstreamWorld([policy('x', 'p', {})])
    world.services = [{ namespace: 'y', name: 'web', clusterIPs: ['198.19.0.20'], selector: { pod: 'b' }, ports: [{ port: 8080, targetPort: 'serve-80-tcp', protocol: 'TCP' }] }]
    const { jobs } = plan(world, { ports: [{ port: 80, protocol: 'TCP' }], services: world.services })
    expect(new Set(jobs.map((j) => j.to.key))).toEqual(new Set(['y/b']))
    expect(jobs[0].target).toEqual({ host: 'web.y.svc.cluster.local', port: 8080, service: 'y/web' })
  })

  it.each([[[], undefined], [[], 'UDP'], [[8080], undefined], [['serve-80-tcp'], undefined]] as Array<[Array<number | string>, Protocol | undefined]>)(
    'default ports: probe plans exactly the (destination, port) pairs predict checks (--port %j, --protocol %s)', (ports, protocol) => {
      const world = upstreamWorld()
      world.pods[1] = { ...world.pods[1], ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }
      world.pods[2] = { ...world.pods[2], ports: [] }
      const { evaluator, sources, destinations, ports: plan } = resolveRequest(world, { from: [], to: [], ports, protocol }, { externals: [], includes: () => true })
      const prediction = predictMatrix(evaluator, { sources, destinations, queries: plan.queries, checks: plan.checks })
      const predicted = new Set(plan.queries.flatMap((q, i) => destinations.filter((d) => prediction.checks(i, d)).map((d) => `${d.key} ${q.protocol}/${q.port}`)))
      const { jobs } = planProbes(evaluator, { sources, destinations, ports: askedPorts(ports, protocol), protocol, allPods: true, externals: [] })
      expect(new Set(jobs.map((j) => `${j.to.key} ${j.protocol}/${j.port}`))).toEqual(predicted)
    })
})

