// The settle loop driving the real probe engine over the in-memory FakeKube
// (test/support/fake-kube.ts): the fake exists to script an enforcer that takes a while to apply
// a policy, which a real cluster does only by chance. test/e2e/ proves settling on a real enforcer.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { PodEndpoint } from '../../src/evaluate/endpoint.js'
import type { ProbeJob } from '../../src/plan/plan.js'
import { planProbes } from '../../src/plan/plan.js'
import { createProbeEngine } from '../../src/probe/engine.js'
import { settleDisagreements } from '../../src/probe/settle.js'
import type { ProbeResult } from '../../src/model/probe.js'
import { FakeKube } from '../support/fake-kube.js'
import { upstreamWorld } from '../support/world.js'

const BLOCKED_HOST = '198.18.2.10'

/** x/a's checks to every pod on TCP 80; the tests predict all of them allowed. */
function jobs(): { source: PodEndpoint; jobs: ProbeJob[] } {
  const evaluator = createEvaluator(upstreamWorld())
  const source = evaluator.endpoints.find((e): e is PodEndpoint => e.key === 'x/a')!
  return { source, jobs: planProbes(evaluator, { sources: [source], destinations: evaluator.endpoints, ports: [{ port: 80, protocol: 'TCP' }], allPods: false, externals: [] }).jobs }
}

/** An enforcer that still blocks BLOCKED_HOST for the first `rounds` execs. */
function slowEnforcer(kube: FakeKube, rounds: number): void {
  let execs = 0
  kube.execResult = ({ command }) => {
    const blocking = execs++ < rounds
    const lines = command.at(-1)!.trim().split('\n').map((l) => l.split(' '))
    return { stdout: lines.map(([i, , host]) => (blocking && host === BLOCKED_HOST ? `NETPOL ${i} 124 2000 ` : `NETPOL ${i} 0 2 `)).join('\n'), stderr: '' }
  }
}

interface Check { job: ProbeJob; attempts: number; result: ProbeResult }

async function settle(kube: FakeKube, settleSeconds: number): Promise<{ checks: Check[]; rounds: number[] }> {
  const { source, jobs: planned } = jobs()
  const engine = createProbeEngine(kube, { run: { runId: 'r1', image: 'i', deadlineSeconds: 60 }, mode: 'pod', checkTimeout: 2, parallelism: 4, startTimeout: 10 })
  await engine.prepare([source])
  const rounds: number[] = []
  const checks = settleDisagreements<Check>(planned, {
    settle: settleSeconds,
    probe: (round) => { rounds.push(round.length); return engine.probe(round) },
    judge: (job, result, attempts) => ({ job, result, attempts }),
    disagrees: (c) => !(c.result.ran && c.result.observation === 'connected'),
  })
  await vi.runAllTimersAsync()
  return { checks: await checks, rounds }
}

afterEach(() => { vi.useRealTimers() })

describe('settling disagreements', () => {
  it('re-probes only the disagreeing job, and reports it agreeing once the enforcer caught up', async () => {
    vi.useFakeTimers()
    const kube = new FakeKube()
    slowEnforcer(kube, 1)
    const { checks, rounds } = await settle(kube, 10)
    expect(rounds).toEqual([9, 1])
    const late = checks.find((c) => c.job.target.host === BLOCKED_HOST)!
    expect(late).toMatchObject({ attempts: 2, result: { ran: true, observation: 'connected' } })
    expect(checks.filter((c) => c.attempts === 1)).toHaveLength(8)
  })

  it('a disagreement that holds for the whole settle period is reported, after rounds paced a second apart', async () => {
    vi.useFakeTimers()
    const kube = new FakeKube()
    slowEnforcer(kube, Infinity)
    const { checks, rounds } = await settle(kube, 3)
    const blocked = checks.find((c) => c.job.target.host === BLOCKED_HOST)!
    expect(blocked.result).toMatchObject({ ran: true, observation: 'timeout' })
    expect(rounds).toEqual([9, 1, 1, 1])
    expect(blocked.attempts).toBe(4)
  })

  it('--settle 0 reports the first round as it is', async () => {
    vi.useFakeTimers()
    const kube = new FakeKube()
    slowEnforcer(kube, Infinity)
    const { checks, rounds } = await settle(kube, 0)
    expect(rounds).toEqual([9])
    expect(checks.find((c) => c.job.target.host === BLOCKED_HOST)!.attempts).toBe(1)
  })
})
