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
import { NEIGHBOUR_INCONCLUSIVE, type ProbeResult } from '../../src/model/probe.js'
import { createProbeEngine, type Judge, type ProbeEvent, type ProbeMode } from '../../src/probe/engine.js'
import { INCONCLUSIVE } from '../../src/probe/retry.js'
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

/**
 * Answers each check the checker is given: connected, or timed out for the hosts in `blocked`;
 * `neighbours` is what the pod says it saw of the node's neighbour table (NETPOL-NEIGH).
 */
function checkerAnswers(blocked: Set<string> = new Set(), neighbours = '0 0'): (call: ExecCall) => ExecResult {
  return ({ command }) => {
    const lines = command.at(-1)!.trim().split('\n').map((line) => line.split(' '))
    const stdout = lines.map(([index, , host, , timeout]) => (blocked.has(host) ? `NETPOL ${index} 124 ${timeout} ` : `NETPOL ${index} 0 3 `)).join('\n')
    return { stdout: `${stdout}\nNETPOL-LAG 2\nNETPOL-NEIGH ${neighbours}\nNETPOL-DONE\n`, stderr: '', exitCode: 0 }
  }
}

/** Every check predicted allowed; a result needs no re-check once it connected. */
const allowedJudge: Judge = { predicted: () => 'allowed', settled: (_job, r) => r.ran && r.observation === 'connected' }

function engine(kube: FakeKube, mode: ProbeMode = 'pod', startTimeout = 30, extra: { settle?: number; maxProbePods?: number } = {}) {
  const events: ProbeEvent[] = []
  const probe = createProbeEngine(kube, { run: RUN, mode, checkTimeout: 2, parallelism: 8, startTimeout, settle: extra.settle ?? 0, maxProbePods: extra.maxProbePods, onEvent: (e) => events.push(e) })
  return { probe, events }
}

/** Runs the jobs to the end with fake timers (pod polls, paced re-check rounds). */
async function runAll(probe: ReturnType<typeof engine>['probe'], jobs: ProbeJob[], judge = allowedJudge): Promise<ProbeResult[]> {
  vi.useFakeTimers()
  const running = probe.run(jobs, judge)
  await vi.runAllTimersAsync()
  return (await running).map((s) => s.result)
}

afterEach(() => { vi.useRealTimers() })

describe('probe engine, pod mode', () => {
  it('cleanup during the start (Ctrl-C) waits for the creates in flight and lets no new one start: nothing is left', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    const evaluator = createEvaluator(upstreamWorld())
    const sources = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && ['x', 'y'].includes(e.pod.namespace))
    const { jobs } = planProbes(evaluator, { sources, destinations: sources, ports: [{ port: 80, protocol: 'TCP' }], allPods: false, externals: [] })
    // The run ConfigMap of the second namespace answers only when the test says so.
    let answer!: () => void
    let asked = false
    const held = new Promise<void>((resolve) => { answer = resolve })
    const create = kube.createObject.bind(kube)
    kube.createObject = async (manifest) => {
      if (manifest.kind === 'ConfigMap' && manifest.metadata.namespace === 'y') { asked = true; await held }
      return create(manifest)
    }
    const { probe } = engine(kube)
    const running = probe.run(jobs, allowedJudge).catch((error: Error) => error)
    await vi.waitFor(() => expect(asked).toBe(true))
    const cleaning = probe.cleanup()
    answer()
    await cleaning
    await running
    expect([...kube.objects.values()].filter((o) => o.metadata.labels?.[RUN_ID_LABEL])).toEqual([])
  })

  it('creates one run ConfigMap and one scale owner per namespace and one probe pod per source carrying its identity', async () => {
    const kube = new FakeKube()
    const created: WireObject[] = []
    kube.execResult = (call) => { created.push(...kube.ofKind('Pod')); return checkerAnswers()(call) }
    const { jobs, sources } = planned()
    await runAll(engine(kube).probe, jobs)
    const [runObject] = kube.ofKind('ConfigMap')
    const [owner] = kube.ofKind('Deployment')
    expect(kube.ofKind('ConfigMap').map((c) => c.metadata.name)).toEqual([runObjectName(RUN.runId)])
    expect(kube.ofKind('Deployment').map((d) => d.metadata.name)).toEqual([runObjectName(RUN.runId)])
    expect((owner.metadata as { ownerReferences: Array<{ uid: string }> }).ownerReferences[0].uid).toBe(runObject.metadata.uid)
    const pods = [...new Map(created.map((p) => [p.metadata.name, p])).values()]
    expect(pods).toHaveLength(sources.length)
    for (const pod of pods) {
      const source = sources.find((s) => s.key === (pod.metadata as { annotations: Record<string, string> }).annotations[PROBE_SOURCE_ANNOTATION])!
      expect(pod.metadata.namespace).toBe(source.pod.namespace)
      expect(pod.metadata.labels).toEqual({ ...source.pod.labels, [RUN_ID_LABEL]: RUN.runId })
      expect((pod.metadata as { ownerReferences: Array<{ kind: string; uid: string }> }).ownerReferences[0]).toMatchObject({ kind: 'Deployment', uid: owner.metadata.uid })
    }
  })

  it('sends each source its checks in one exec of the checker and reads its output back as observations', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers(new Set(['198.18.2.10']))
    const { sources, jobs } = planned()
    const results = await runAll(engine(kube).probe, jobs, { predicted: () => 'denied', settled: () => true })
    expect(kube.execs).toHaveLength(sources.length)
    expect(kube.execs.every((e) => e.command[0] === 'perl')).toBe(true)
    expect(results).toHaveLength(jobs.length)
    const blocked = results.filter((r) => r.ran && r.observation === 'timeout').map((r) => jobs.find((j) => j.id === r.jobId)!.target.host)
    expect(new Set(blocked)).toEqual(new Set(['198.18.2.10']))
    expect(results.filter((r) => r.ran && r.observation === 'connected')).toHaveLength(jobs.length - blocked.length)
  })

  it('never has more probe pods than the window, deletes each as soon as its source is done, and probes every source', async () => {
    const kube = new FakeKube()
    let peak = 0
    kube.execResult = (call) => { peak = Math.max(peak, kube.ofKind('Pod').length); return checkerAnswers()(call) }
    const { sources, jobs } = planned()
    const { probe, events } = engine(kube, 'pod', 30, { maxProbePods: 1 })
    const results = await runAll(probe, jobs)
    expect(peak).toBe(1)
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
    expect(events.find((e) => e.kind === 'starting')).toMatchObject({ window: 1, rounds: sources.length })
    expect(events.filter((e) => e.kind === 'source-done')).toHaveLength(sources.length)
    expect(kube.ofKind('Pod')).toEqual([])
  })

  it('the default window is half the free pod slots of the schedulable nodes', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    kube.add(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'full' }, status: { allocatable: { pods: '4' } } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cordoned' }, spec: { unschedulable: true }, status: { allocatable: { pods: '110' } } },
      ...[1, 2].map((i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${i}`, namespace: 'y' }, spec: { nodeName: 'full' }, status: { phase: 'Running' } })),
    )
    const { jobs } = planned()
    const { probe, events } = engine(kube)
    await runAll(probe, jobs)
    expect(events.find((e) => e.kind === 'starting')).toMatchObject({ window: 1 })
  })

  it('a UDP port without a known responder is unverifiable and never sent to the container', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    const { jobs } = planned([{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'UDP' }])
    const results = await runAll(engine(kube).probe, jobs, { predicted: () => 'allowed', settled: () => true })
    const udp = results.filter((r) => jobs.find((j) => j.id === r.jobId)!.protocol === 'UDP')
    expect(udp.length).toBeGreaterThan(0)
    expect(udp.every((r) => !r.ran && r.reason === 'unverifiable')).toBe(true)
    expect(kube.execs.every((e) => !e.command.at(-1)!.includes(' echo '))).toBe(true)
  })

  it('checks the exec gave no line for are not-probed, with what the exec said — never blocked', async () => {
    const kube = new FakeKube()
    kube.execResult = () => ({ stdout: '', stderr: '', error: 'the exec connection closed without a status' })
    const { jobs } = planned()
    const results = await runAll(engine(kube).probe, jobs)
    expect(results.every((r) => !r.ran && r.reason === 'not-probed' && r.detail?.includes('closed without a status'))).toBe(true)
  })

  it('an exec stream dropped halfway: the checks it printed count, the others are run again and measured', async () => {
    const kube = new FakeKube()
    let execs = 0
    kube.execResult = (call) => {
      const full = checkerAnswers()(call)
      if (execs++ > 0) return full
      return { stdout: full.stdout.split('\n').slice(0, 2).join('\n'), stderr: '', error: 'the exec connection closed without a status' }
    }
    const { jobs } = planned()
    const results = await runAll(engine(kube, 'pod', 30, { settle: 10, maxProbePods: 1 }).probe, jobs)
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
  })

  it('a probe pod deleted under the run: its checks are unknown with the reason at once, not re-run for the settle period, and the run still ends with a report', async () => {
    const kube = new FakeKube()
    kube.execResult = ({ namespace, pod }) => {
      kube.objects.delete(`Pod/${namespace}/${pod}`)
      return { stdout: '', stderr: '', error: `exec into ${namespace}/${pod} failed: pods "${pod}" not found` }
    }
    const { jobs, sources } = planned()
    const results = await runAll(engine(kube, 'pod', 30, { settle: 10 }).probe, jobs)
    expect(results.every((r) => !r.ran && r.reason === 'pod-failed' && /^the probe pod x\/\S+ was deleted during the run \(.*not found\)$/.test(r.detail))).toBe(true)
    expect(kube.execs).toHaveLength(sources.length)
  })

  it('an exec that did not finish while its probe pod is still there: the checks are run again', async () => {
    const kube = new FakeKube()
    let execs = 0
    kube.execResult = (call) => (execs++ === 0 ? { stdout: '', stderr: '', error: 'the exec connection closed without a status' } : checkerAnswers()(call))
    const { jobs } = planned()
    const results = await runAll(engine(kube, 'pod', 30, { settle: 10, maxProbePods: 1 }).probe, jobs.filter((j) => j.from.key === 'x/a'))
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
  })

  it('a source whose image cannot be pulled fails with the reason; the other sources run', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    kube.podStatus = (pod) => (pod.metadata.labels?.pod === 'b' ? waitingStatus('ErrImagePull', 'not found') : runningStatus())
    const { sources, jobs } = planned()
    const { probe, events } = engine(kube)
    const results = await runAll(probe, jobs)
    const fromB = results.filter((r) => jobs.find((j) => j.id === r.jobId)!.from.key === 'x/b')
    expect(fromB.every((r) => !r.ran && r.reason === 'pod-failed' && r.detail === 'the probe image could not be pulled (ErrImagePull: not found)')).toBe(true)
    expect(events).toContainEqual({ kind: 'source-failed', source: 'x/b', reason: 'the probe image could not be pulled (ErrImagePull: not found)' })
    expect(kube.execs).toHaveLength(sources.length - 1)
  })

  it('a source whose pod cannot be created fails; the run goes on', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    kube.failWhen('createObject', ([manifest]) => (manifest as WireObject).kind === 'Pod', new Error('pods "netpol-probe-" is forbidden: exceeded quota'))
    const { sources, jobs } = planned()
    const { probe, events } = engine(kube)
    await runAll(probe, jobs)
    expect(events.filter((e) => e.kind === 'source-failed').map((e) => e.kind === 'source-failed' && e.reason))
      .toEqual(['could not create the probe pod: pods "netpol-probe-" is forbidden: exceeded quota'])
    expect(events.filter((e) => e.kind === 'source-ready')).toHaveLength(sources.length - 1)
  })

  it('one transient failure of listPods while waiting is one failed look, not a failed run', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    kube.failNext('listPods', FakeKube.transient())
    const { sources, jobs } = planned()
    const { probe, events } = engine(kube)
    await runAll(probe, jobs)
    expect(events.filter((e) => e.kind === 'source-ready')).toHaveLength(sources.length)
    expect(events.some((e) => e.kind === 'source-failed')).toBe(false)
  })

  it('a pod that never schedules fails after the start timeout, saying why', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    kube.podStatus = (pod) => (pod.metadata.labels?.pod === 'c'
      ? { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }] }
      : runningStatus())
    const { jobs } = planned()
    const { probe, events } = engine(kube, 'pod', 2)
    await runAll(probe, jobs)
    expect(events).toContainEqual({ kind: 'source-failed', source: 'x/c', reason: 'probe container not running after 2s: stuck Pending, not scheduled: 0/1 nodes are available: 1 Insufficient memory.' })
  })

  it('cleanup deletes everything the run labelled, also after a partial run, and is safe to repeat', async () => {
    const kube = new FakeKube()
    kube.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'workload', namespace: 'x', labels: { pod: 'a' } } })
    kube.execResult = checkerAnswers()
    const { jobs } = planned()
    let pods = 0
    kube.failWhen('createObject', ([manifest]) => (manifest as WireObject).kind === 'Pod' && ++pods > 1, new Error('interrupted'), Infinity)
    const { probe, events } = engine(kube)
    await runAll(probe, jobs)
    await probe.cleanup()
    await probe.cleanup()
    expect([...kube.objects.values()].filter((o) => o.metadata.labels?.[RUN_ID_LABEL])).toEqual([])
    expect(kube.ofKind('Pod').map((p) => p.metadata.name)).toEqual(['workload'])
    expect(events.filter((e) => e.kind === 'cleaned')).toEqual([{ kind: 'cleaned', namespaces: 1 }, { kind: 'cleaned', namespaces: 0 }])
  })
})

describe('cleanup when the API server cannot be reached', () => {
  it('says which run\'s objects remain where, and that `kubectl netpol cleanup --run-id` removes them', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers()
    const { jobs } = planned()
    const { probe } = engine(kube)
    await runAll(probe, jobs)
    kube.failNext('deleteLabelled', FakeKube.transient('delete pods: the connection to https://127.0.0.1:6443 failed (ECONNREFUSED)'))
    await expect(probe.cleanup()).rejects.toThrow(`could not delete the probe pods, their owner Deployment and the ConfigMap of run ${RUN.runId} in x (delete pods: the connection to https://127.0.0.1:6443 failed (ECONNREFUSED)); \`kubectl netpol cleanup --run-id ${RUN.runId}\` removes them`)
    await probe.cleanup()
    expect([...kube.objects.values()].filter((o) => o.metadata.labels?.[RUN_ID_LABEL])).toEqual([])
  })
})

describe('re-checks', () => {
  it('a predicted-allowed check that timed out is re-checked with a longer timeout beside a control, and agrees once it connects', async () => {
    const kube = new FakeKube()
    let execs = 0
    kube.execResult = (call) => checkerAnswers(execs++ === 0 ? new Set(['198.18.2.10']) : new Set())(call)
    const { jobs } = planned()
    const { probe } = engine(kube, 'pod', 30, { settle: 10, maxProbePods: 1 })
    const results = await runAll(probe, jobs.filter((j) => j.from.key === 'x/a'))
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
    const recheck = kube.execs[1].command.at(-1)!.trim().split('\n').map((l) => l.split(' '))
    expect(recheck.find(([, , host]) => host === '198.18.2.10')?.[4]).toBe('4000')
    expect(recheck.filter(([, , host]) => host !== '198.18.2.10').length).toBeGreaterThan(0)
  })

  it('one that stays blocked while its controls answer is reported blocked once the settle period has passed', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers(new Set(['198.18.2.10']))
    const { jobs } = planned()
    const results = await runAll(engine(kube, 'pod', 30, { settle: 6 }).probe, jobs.filter((j) => j.from.key === 'x/a'))
    const blocked = results.filter((r) => jobs.find((j) => j.id === r.jobId)!.target.host === '198.18.2.10')
    expect(blocked.every((r) => r.ran && r.observation === 'timeout')).toBe(true)
  })

  it('one whose container got no timely answer from anything is unknown: inconclusive', async () => {
    const kube = new FakeKube()
    kube.execResult = checkerAnswers(new Set([1, 2, 3].flatMap((n) => [10, 11, 12].map((h) => `198.18.${n}.${h}`))))
    const { jobs } = planned()
    const results = await runAll(engine(kube, 'pod', 30, { settle: 4 }).probe, jobs.filter((j) => j.from.key === 'x/a'))
    expect(results.every((r) => !r.ran && r.detail === INCONCLUSIVE)).toBe(true)
  })
})

describe('timeouts while the node\'s neighbour table is full or evicting', () => {
  const blockedHost = '198.18.2.10'
  /** The source's results, split by whether they went to the host that times out. */
  const results = async (execResult: (call: ExecCall, source: string) => ExecResult, settle: number, source: string, onlySource = true) => {
    const kube = new FakeKube()
    kube.execResult = (call) => execResult(call, (kube.objects.get(`Pod/${call.namespace}/${call.pod}`)!.metadata as { annotations: Record<string, string> }).annotations[PROBE_SOURCE_ANNOTATION])
    const { jobs } = planned()
    const ran = (await runAll(engine(kube, 'pod', 30, { settle }).probe, onlySource ? jobs.filter((j) => j.from.key === source) : jobs))
      .filter((r) => jobs.find((j) => j.id === r.jobId)!.from.key === source)
    const toBlocked = (r: ProbeResult) => jobs.find((j) => j.id === r.jobId)!.target.host === blockedHost
    return { kube, timedOut: ran.filter(toBlocked), answered: ran.filter((r) => !toBlocked(r)) }
  }

  it('a timeout in an exec whose pod saw the table in trouble is re-checked, and unknown with the reason if the trouble stays', async () => {
    const { kube, timedOut, answered } = await results(checkerAnswers(new Set([blockedHost]), '3 0'), 6, 'x/a')
    expect(timedOut.length).toBeGreaterThan(0)
    expect(timedOut.every((r) => !r.ran && r.detail === NEIGHBOUR_INCONCLUSIVE)).toBe(true)
    expect(answered.every((r) => r.ran && r.observation === 'connected')).toBe(true)
    expect(kube.execs.length).toBeGreaterThan(1)
  })

  it('one re-checked once the trouble is over is judged on that attempt', async () => {
    let execs = 0
    const { timedOut } = await results((call) => checkerAnswers(new Set([blockedHost]), execs++ === 0 ? '0 4' : '0 0')(call), 6, 'x/a')
    expect(timedOut.every((r) => r.ran && r.observation === 'timeout')).toBe(true)
  })

  it('the trouble may be seen by another source\'s probe pod at the same time: the destination\'s side of the path is in the same table', async () => {
    const { timedOut } = await results((call, source) => checkerAnswers(new Set([blockedHost]), source === 'x/a' ? '0 0' : '1 0')(call), 6, 'x/a', false)
    expect(timedOut.length).toBeGreaterThan(0)
    expect(timedOut.every((r) => !r.ran && r.detail === NEIGHBOUR_INCONCLUSIVE)).toBe(true)
  })
})

describe('probe engine, ephemeral mode', () => {
  it('adds a probe container to each source pod, execs into it, and leaves nothing to delete', async () => {
    const kube = new FakeKube()
    const { sources, jobs } = planned()
    for (const s of sources) kube.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: s.pod.name, namespace: s.pod.namespace, labels: s.pod.labels } })
    kube.podStatus = () => ({ phase: 'Running', ephemeralContainerStatuses: [{ name: `netpol-probe-${RUN.runId}`, state: { running: {} } }] })
    kube.execResult = checkerAnswers()
    const { probe } = engine(kube, 'ephemeral')
    const results = await runAll(probe, jobs)
    await probe.cleanup()
    expect(kube.ofKind('Pod').map((p) => (p.spec as { ephemeralContainers: Array<{ name: string }> }).ephemeralContainers.map((c) => c.name)))
      .toEqual(sources.map(() => [`netpol-probe-${RUN.runId}`]))
    expect(new Set(kube.execs.map((e) => `${e.namespace}/${e.pod} ${e.container}`))).toEqual(new Set(sources.map((s) => `${s.key} netpol-probe-${RUN.runId}`)))
    expect(results.every((r) => r.ran && r.observation === 'connected')).toBe(true)
    expect(kube.calls.some((c) => c.method === 'deleteLabelled')).toBe(false)
  })
})
