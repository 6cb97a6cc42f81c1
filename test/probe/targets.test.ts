// Stand-ins through the probe-pod window, against the in-memory FakeKube (test/support/fake-kube.ts):
// the fake counts the pods that exist at every exec, which a real cluster cannot report exactly.
// test/e2e/stand-ins.test.ts is the proof against a real cluster.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { PodEndpoint } from '../../src/evaluate/endpoint.js'
import type { ExecResult } from '../../src/kube/client.js'
import { planProbes } from '../../src/plan/plan.js'
import { createProbeEngine, type Judge } from '../../src/probe/engine.js'
import { STAND_IN_ANNOTATION, STAND_IN_CONTAINER } from '../../src/probe/stand-in-pod.js'
import { probeTargets, type TargetChoice } from '../../src/probe/targets.js'
import { FakeKube, runningStatus, type ExecCall } from '../support/fake-kube.js'
import { upstreamWorld } from '../support/world.js'

const RUN = { runId: 'abc123', image: 'netshoot', deadlineSeconds: 300 }
const judge: Judge = { predicted: () => 'allowed', settled: (_job, r) => r.ran && r.observation === 'connected' }
const around = async () => ({ services: [] })

/** A stand-in reports its ports; the checker connects everything it is given. */
function answers(call: ExecCall): ExecResult {
  if (call.container === STAND_IN_CONTAINER) return { stdout: 'LISTEN TCP/80\nDONE\n', stderr: '', exitCode: 0 }
  const lines = call.command.at(-1)!.trim().split('\n').map((line) => line.split(' '))
  return { stdout: `${lines.map(([index]) => `NETPOL ${index} 0 3 `).join('\n')}\nNETPOL-LAG 2\nNETPOL-DONE\n`, stderr: '', exitCode: 0 }
}

/** Every pod the fake creates runs at once, with an address of its own. */
function runningPods(kube: FakeKube): void {
  let ip = 0
  kube.podStatus = (pod) => runningStatus(`198.18.9.${(ip = (ip % 200) + 1)}`, [String((pod.spec as { containers: Array<{ name: string }> }).containers[0].name)])
}

interface Probing {
  maxProbePods: number
  /** Only x/a (default), or every pod of x. */
  everySource?: boolean
  target?: TargetChoice
}

/** x/a (or every pod of x) probes every pod of x on TCP 80 through the window, asking for stand-ins. */
async function probeX(kube: FakeKube, { maxProbePods, everySource = false, target = { kind: 'stand-ins' } }: Probing) {
  const evaluator = createEvaluator(upstreamWorld())
  const x = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && e.pod.namespace === 'x')
  const { jobs } = planProbes(evaluator, { sources: everySource ? x : x.slice(0, 1), destinations: x, ports: [{ port: 80, protocol: 'TCP' }], allPods: false, externals: [] })
  const engine = createProbeEngine(kube, { run: RUN, mode: 'pod', checkTimeout: 2, parallelism: 8, startTimeout: 30, settle: 0, maxProbePods })
  vi.useFakeTimers()
  const running = probeTargets(engine, evaluator, jobs, judge, target, around)
  await vi.runAllTimersAsync()
  const outcome = await running
  await engine.cleanup()
  return { ...outcome, jobs }
}

const standInsCreated = (kube: FakeKube) =>
  kube.calls.filter((c) => c.method === 'createObject' && (c.args[0] as { metadata: { generateName?: string } }).metadata.generateName === 'netpol-stand-in-')

afterEach(() => { vi.useRealTimers() })

describe('stand-ins through the probe-pod window', () => {
  it('take places in --max-probe-pods: destinations in turns, never more pods than the window, all deleted at the end', async () => {
    const kube = new FakeKube()
    runningPods(kube)
    let most = 0
    kube.execResult = (call) => { most = Math.max(most, kube.ofKind('Pod').length); return answers(call) }
    const { settled, notes, jobs } = await probeX(kube, { maxProbePods: 4, everySource: true })
    expect(notes).toEqual([])
    expect(settled).toHaveLength(jobs.length)
    // Every check dialled a stand-in, and connected.
    expect(settled.every((s) => s.job.target.standIn && s.result.ran && s.result.observation === 'connected')).toBe(true)
    expect(most).toBeLessThanOrEqual(4)
    // Three destination classes in turns of two: the stand-ins were created in two turns.
    expect(standInsCreated(kube)).toHaveLength(3)
    expect(kube.ofKind('Pod')).toEqual([])
  })

  it('a stand-in that cannot be created: its destination\'s checks dial the real pod and say why; the other stand-ins are used', async () => {
    const kube = new FakeKube()
    runningPods(kube)
    kube.execResult = answers
    const isStandInOf = (pod: string) => ([manifest]: unknown[]) => (manifest as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.[STAND_IN_ANNOTATION] === pod
    kube.failWhen('createObject', isStandInOf('x/b'), new Error('pods "netpol-stand-in-" is forbidden: exceeded quota'))
    const { settled } = await probeX(kube, { maxProbePods: 8 })
    const toB = settled.filter((s) => s.job.to.key === 'x/b')
    expect(toB.length).toBeGreaterThan(0)
    expect(toB.every((s) => !s.job.target.standIn && /its stand-in did not start: could not create it: .*exceeded quota/.test(s.job.target.fallback ?? ''))).toBe(true)
    expect(settled.filter((s) => s.job.to.key !== 'x/b').every((s) => s.job.target.standIn)).toBe(true)
  })

  it('a window of one has no room for a stand-in: every destination is dialled directly, and the notes say why', async () => {
    const kube = new FakeKube()
    kube.execResult = answers
    const { settled, notes } = await probeX(kube, { maxProbePods: 1 })
    expect(settled.every((s) => !s.job.target.standIn && /no room for a stand-in/.test(s.job.target.fallback ?? ''))).toBe(true)
    expect(notes).toHaveLength(3)
  })

  it('without --target, stand-ins that need more than one turn give way to the real pods, said in one note', async () => {
    const kube = new FakeKube()
    runningPods(kube)
    kube.execResult = answers
    const { target, settled, notes, jobs } = await probeX(kube, { maxProbePods: 4, everySource: true, target: { kind: 'stand-ins', byDefault: true } })
    expect(target).toBe('pods')
    expect(settled).toHaveLength(jobs.length)
    expect(settled.every((s) => !s.job.target.standIn)).toBe(true)
    expect(notes).toEqual([expect.stringMatching(/^dialled the real pods, not stand-ins: the 3 stand-ins do not fit beside the probe pods in the probe-pod window \(4\)/)])
    expect(standInsCreated(kube)).toEqual([])
  })

  it('without --target, stand-ins that fit in one turn are dialled', async () => {
    const kube = new FakeKube()
    runningPods(kube)
    kube.execResult = answers
    const { target, settled, notes } = await probeX(kube, { maxProbePods: 6, everySource: true, target: { kind: 'stand-ins', byDefault: true } })
    expect(target).toBe('stand-ins')
    expect(notes).toEqual([])
    expect(settled.every((s) => s.job.target.standIn)).toBe(true)
  })
})
