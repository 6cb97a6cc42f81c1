// How a probe run judges results for re-checking, against the in-memory FakeKube
// (test/support/fake-kube.ts): the fake exists to script what the checker observes on each round,
// which a real enforcer does only by timing accident (a new probe pod refused before the enforcer
// has added it to the rules that allow it). test/e2e/probe.test.ts is the proof on a real cluster.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { PodEndpoint } from '../../src/evaluate/endpoint.js'
import type { ExecCall } from '../support/fake-kube.js'
import { planProbes } from '../../src/plan/plan.js'
import { runProbes } from '../../src/probe/run.js'
import { FakeKube } from '../support/fake-kube.js'
import { upstreamWorld } from '../support/world.js'

const OPTIONS = { mode: 'pod' as const, image: 'netshoot', checkTimeout: 2, startTimeout: 30, parallelism: 8, maxProbePods: 1 }

const REFUSED = '1 1 connect: Connection refused'
const LOOKUP_TIMED_OUT = '1 2000 name resolution timed out after 2000 ms'

/** Answers every check connected, except those to `failingHost`, which fail as `failure` says while `failing()` says so. */
function answers(failingHost: string, failing: () => boolean, failure = REFUSED) {
  return ({ command }: ExecCall) => {
    const fail = failing()
    const lines = command.at(-1)!.trim().split('\n').map((line) => line.split(' '))
    const stdout = lines.map(([index, mode, host]) => (mode === 'sctp' ? `NETPOL ${index} 1 0 SCTP: Protocol not supported by this kernel`
      : fail && host === failingHost ? `NETPOL ${index} ${failure}` : `NETPOL ${index} 0 3 `)).join('\n')
    return { stdout: `${stdout}\nNETPOL-LAG 2\nNETPOL-DONE\n`, stderr: '', exitCode: 0 }
  }
}

afterEach(() => { vi.useRealTimers() })

describe('which results a probe run re-checks', () => {
  async function probeFromXA(settle: number, failing: (exec: number) => boolean, protocol: 'TCP' | 'SCTP' = 'TCP', failure = REFUSED) {
    const evaluator = createEvaluator(upstreamWorld())
    const sources = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && e.key === 'x/a')
    const { jobs } = planProbes(evaluator, { sources, destinations: evaluator.endpoints, ports: [{ port: 80, protocol }], allPods: false, externals: [] })
    const allowed = jobs.find((j) => j.to.kind === 'pod' && j.to.key !== 'x/a' && evaluator.evaluate({ from: j.from, to: j.to, port: j.port, protocol: j.protocol }, { loopback: 'policy' }).allowed)!
    const kube = new FakeKube()
    let execs = 0
    kube.execResult = answers(allowed.target.host, () => failing(execs++), failure)
    vi.useFakeTimers()
    const running = runProbes(kube, evaluator, jobs, { ...OPTIONS, settle })
    await vi.runAllTimersAsync()
    return (await running).checks.find((c) => c.job.id === allowed.id)!
  }

  it('a refused predicted-allowed connection is re-checked, and agrees once the enforcer lets the new probe pod through', async () => {
    const check = await probeFromXA(10, (exec) => exec === 0)
    expect([check.verdict, check.observed, check.attempts]).toEqual(['agree', 'allowed', 2])
  })

  it('one still refused after the settle period stays unknown, never blocked', async () => {
    const check = await probeFromXA(3, () => true)
    expect([check.verdict, check.observed]).toEqual(['unknown', 'refused'])
    expect(check.attempts).toBeGreaterThan(1)
  })

  it('a name lookup that timed out is re-checked, and the connection is measured once the name resolves', async () => {
    const check = await probeFromXA(10, (exec) => exec === 0, 'TCP', LOOKUP_TIMED_OUT)
    expect([check.verdict, check.observed, check.attempts]).toEqual(['agree', 'allowed', 2])
  })

  it('one that never resolves within the settle period is unknown with the DNS note, never blocked', async () => {
    const check = await probeFromXA(3, () => true, 'TCP', LOOKUP_TIMED_OUT)
    expect([check.verdict, check.observed]).toEqual(['unknown', 'dns-failure'])
    expect(check.note).toMatch(/did not resolve/)
    expect(check.attempts).toBeGreaterThan(1)
  })

  it('an unknown that no policy could change (no SCTP in the kernel) is not re-checked', async () => {
    const check = await probeFromXA(10, () => false, 'SCTP')
    expect([check.verdict, check.attempts]).toEqual(['unknown', 1])
  })
})
