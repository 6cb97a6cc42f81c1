// The probe engine against the in-memory FakeKube (test/support/fake-kube.ts): the fake exists for
// the engine's logic and for faults a real cluster cannot produce on demand (an image that never
// pulls, a pod that never schedules, a list that fails once, an exec that dies). The e2e suite
// (test/e2e/probe.test.ts) is the proof against a real cluster.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { PodEndpoint } from '../../src/evaluate/endpoint.js'
import type { ExecResult, WireObject } from '../../src/kube/client.js'
import { PROBE_SOURCE_ANNOTATION, RUN_ID_LABEL, type Protocol } from '../../src/model/cluster.js'
import { planProbes, type ProbeJob } from '../../src/plan/plan.js'
import type { ProbeMode } from '../../src/model/probe.js'
import { createProbeEngine, type ProbeEvent } from '../../src/probe/engine.js'
import { runObjectName } from '../../src/probe/spec.js'
import { FakeKube, runningStatus, waitingStatus, type ExecCall } from '../support/fake-kube.js'
import { upstreamWorld } from '../support/world.js'

const RUN = { runId: 'abc123', image: 'netshoot', deadlineSeconds: 300 }

function planned(ports: Array<{ port: number; protocol: Protocol }> = [{ port: 80, protocol: 'TCP' }]): { sources: PodEndpoint[]; jobs: ProbeJob[] } {
  const evaluator = createEvaluator(upstreamWorld())
  const sources = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && e.pod.namespace === 'x')
  const { jobs } = planProbes(evaluator, { sources, destinations: evaluator.endpoints, ports, allPods: false, externals: [] })
  return { sources, jobs }
}

/** Answers each check of the probe script: connected, or timed out for the hosts in `blocked`. */
function scriptAnswers(blocked: Set<string> = new Set()): (call: ExecCall) => ExecResult {
  return ({ command }) => {
    const lines = command.at(-1)!.trim().split('\n').map((line) => line.split(' '))
    const stdout = lines.map(([index, , host]) => (blocked.has(host) ? `NETPOL ${index} 124 2000 ` : `NETPOL ${index} 0 3 `)).join('\n')
    return { stdout: `${stdout}\nNETPOL-DONE\n`, stderr: '', exitCode: 0 }
  }
}

function engine(kube: FakeKube, mode: ProbeMode = 'pod', startTimeout = 30) {
  const events: ProbeEvent[] = []
  const probe = createProbeEngine(kube, { run: RUN, mode, checkTimeout: 2, parallelism: 8, startTimeout, onEvent: (e) => events.push(e) })
  return { probe, events }
}

afterEach(() => { vi.useRealTimers() })

describe('probe engine, pod mode', () => {
  it('creates one owner ConfigMap per namespace and one probe pod per source carrying its identity', async () => {
    const kube = new FakeKube()
    const { sources } = planned()
    await engine(kube).probe.prepare(sources)
    const [owner] = kube.ofKind('ConfigMap')
    expect(kube.ofKind('ConfigMap').map((c) => c.metadata.name)).toEqual([runObjectName(RUN.runId)])
    const pods = kube.ofKind('Pod')
    expect(pods).toHaveLength(sources.length)
    for (const pod of pods) {
      const source = sources.find((s) => s.key === (pod.metadata as { annotations: Record<string, string> }).annotations[PROBE_SOURCE_ANNOTATION])!
      expect(pod.metadata.namespace).toBe(source.pod.namespace)
      expect(pod.metadata.labels).toEqual({ ...source.pod.labels, [RUN_ID_LABEL]: RUN.runId })
      expect((pod.metadata as { ownerReferences: Array<{ uid: string }> }).ownerReferences[0].uid).toBe(owner.metadata.uid)
    }
  })

  it('sends each source its checks in one exec and reads the script output back as observations', async () => {
    const kube = new FakeKube()
    kube.execResult = scriptAnswers(new Set(['198.18.2.10']))
    const { sources, jobs } = planned()
    const { probe } = engine(kube)
    await probe.prepare(sources)
    const results = await probe.probe(jobs)
    expect(kube.execs).toHaveLength(sources.length)
    expect(results).toHaveLength(jobs.length)
    const blocked = results.filter((r) => r.ran && r.observation === 'timeout').map((r) => jobs.find((j) => j.id === r.jobId)!.target.host)
    expect(new Set(blocked)).toEqual(new Set(['198.18.2.10']))
    expect(results.filter((r) => r.ran && r.observation === 'connected')).toHaveLength(jobs.length - blocked.length)
  })

  it('a UDP port without a known responder is unverifiable and never sent to the container', async () => {
    const kube = new FakeKube()
    kube.execResult = scriptAnswers()
    const { sources, jobs } = planned([{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'UDP' }])
    const { probe } = engine(kube)
    await probe.prepare(sources)
    const results = await probe.probe(jobs)
    const udp = results.filter((r) => jobs.find((j) => j.id === r.jobId)!.protocol === 'UDP')
    expect(udp.length).toBeGreaterThan(0)
    expect(udp.every((r) => !r.ran && r.reason === 'unverifiable')).toBe(true)
    expect(kube.execs.every((e) => !e.command.at(-1)!.includes(' echo '))).toBe(true)
  })

  it('checks the exec gave no line for are not-probed, with what the exec said — never blocked', async () => {
    const kube = new FakeKube()
    kube.execResult = () => ({ stdout: '', stderr: '', error: 'the exec connection closed without a status' })
    const { sources, jobs } = planned()
    const { probe } = engine(kube)
    await probe.prepare(sources)
    const results = await probe.probe(jobs)
    expect(results.every((r) => !r.ran && r.reason === 'not-probed' && r.detail?.includes('closed without a status'))).toBe(true)
  })

  it('a source whose image cannot be pulled fails with the reason; the other sources run', async () => {
    const kube = new FakeKube()
    kube.execResult = scriptAnswers()
    kube.podStatus = (pod) => (pod.metadata.labels?.pod === 'b' ? waitingStatus('ErrImagePull', 'not found') : runningStatus())
    const { sources, jobs } = planned()
    const { probe, events } = engine(kube)
    await probe.prepare(sources)
    const results = await probe.probe(jobs)
    const fromB = results.filter((r) => jobs.find((j) => j.id === r.jobId)!.from.key === 'x/b')
    expect(fromB.every((r) => !r.ran && r.reason === 'pod-failed' && r.detail === 'the probe image could not be pulled (ErrImagePull: not found)')).toBe(true)
    expect(events).toContainEqual({ kind: 'source-failed', source: 'x/b', reason: 'the probe image could not be pulled (ErrImagePull: not found)' })
    expect(kube.execs).toHaveLength(sources.length - 1)
  })

  it('a source whose pod cannot be created fails; the run goes on', async () => {
    const kube = new FakeKube()
    kube.failWhen('createObject', ([manifest]) => (manifest as WireObject).kind === 'Pod', new Error('pods "netpol-probe-" is forbidden: exceeded quota'))
    const { sources } = planned()
    const { probe, events } = engine(kube)
    await probe.prepare(sources)
    expect(events.filter((e) => e.kind === 'source-failed').map((e) => e.kind === 'source-failed' && e.reason))
      .toEqual(['could not create the probe pod: pods "netpol-probe-" is forbidden: exceeded quota'])
    expect(events.filter((e) => e.kind === 'source-ready')).toHaveLength(sources.length - 1)
  })

  it('one transient failure of listPods while waiting is one failed look, not a failed run', async () => {
    const kube = new FakeKube()
    kube.failNext('listPods', FakeKube.transient())
    const { sources } = planned()
    const { probe, events } = engine(kube)
    vi.useFakeTimers()
    const prepared = probe.prepare(sources)
    await vi.runAllTimersAsync()
    await prepared
    expect(events.filter((e) => e.kind === 'source-ready')).toHaveLength(sources.length)
    expect(events.some((e) => e.kind === 'source-failed')).toBe(false)
  })

  it('a pod that never schedules fails after the start timeout, saying why', async () => {
    const kube = new FakeKube()
    kube.podStatus = (pod) => (pod.metadata.labels?.pod === 'c'
      ? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }] }
      : runningStatus())
    const { sources } = planned()
    const { probe, events } = engine(kube, 'pod', 2)
    vi.useFakeTimers()
    const prepared = probe.prepare(sources)
    await vi.runAllTimersAsync()
    await prepared
    expect(events).toContainEqual({ kind: 'source-failed', source: 'x/c', reason: 'probe container not running after 2s: stuck Pending, not scheduled: 0/1 nodes are available: 1 Insufficient memory.' })
  })

  it('cleanup deletes everything the run labelled, also after a partial prepare, and is safe to repeat', async () => {
    const kube = new FakeKube()
    kube.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'workload', namespace: 'x', labels: { pod: 'a' } } })
    const { sources } = planned()
    let pods = 0
    kube.failWhen('createObject', ([manifest]) => (manifest as WireObject).kind === 'Pod' && ++pods > 1, new Error('interrupted'), Infinity)
    const { probe, events } = engine(kube)
    await probe.prepare(sources)
    await probe.cleanup()
    await probe.cleanup()
    expect([...kube.objects.values()].filter((o) => o.metadata.labels?.[RUN_ID_LABEL])).toEqual([])
    expect(kube.ofKind('Pod').map((p) => p.metadata.name)).toEqual(['workload'])
    expect(events.filter((e) => e.kind === 'cleaned')).toEqual([{ kind: 'cleaned', namespaces: 1 }, { kind: 'cleaned', namespaces: 0 }])
  })
})

describe('probe engine, ephemeral mode', () => {
  it('adds a probe container to each source pod, execs into it, and leaves nothing to delete', async () => {
    const kube = new FakeKube()
    const { sources, jobs } = planned()
    for (const s of sources) kube.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: s.pod.name, namespace: s.pod.namespace, labels: s.pod.labels } })
    kube.podStatus = () => ({ phase: 'Running', ephemeralContainerStatuses: [{ name: `netpol-probe-${RUN.runId}`, state: { running: {} } }] })
    kube.execResult = scriptAnswers()
    const { probe } = engine(kube, 'ephemeral')
    await probe.prepare(sources)
    const results = await probe.probe(jobs)
    await probe.cleanup()
    expect(kube.ofKind('Pod').map((p) => (p.spec as { ephemeralContainers: Array<{ name: string }> }).ephemeralContainers.map((c) => c.name)))
      .toEqual(sources.map(() => [`netpol-probe-${RUN.runId}`]))
    expect(new Set(kube.execs.map((e) => `${e.namespace}/${e.pod} ${e.container}`))).toEqual(new Set(sources.map((s) => `${s.key} netpol-probe-${RUN.runId}`)))
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
    expect(kube.calls.some((c) => c.method === 'deleteLabelled')).toBe(false)
  })
})
