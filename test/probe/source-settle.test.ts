// One source's rounds against a scripted probe container: each test scripts what the network does.
import { describe, expect, it } from 'vitest'
import type { ProbeJob } from '../../src/plan/plan.js'
import type { ProbeResult } from '../../src/model/probe.js'
import { INCONCLUSIVE, retryPolicy } from '../../src/probe/retry.js'
import { settleSource, type RoundRequest } from '../../src/probe/source-settle.js'

const job = (id: string, predicted: 'allowed' | 'denied'): ProbeJob & { predicted: string } =>
  ({ id, predicted, from: { key: 'x/a' }, to: { key: id }, port: 80, protocol: 'TCP', target: { host: id, port: 80 }, sourceMembers: ['x/a'] }) as unknown as ProbeJob & { predicted: string }

type Network = (id: string, timeoutMs: number, round: number) => 'connected' | 'timeout' | 'unresolved' | 'missing'

async function run(jobs: Array<ReturnType<typeof job>>, network: Network, settleMs = 10_000) {
  let now = 0
  const rounds: RoundRequest[] = []
  const settled = await settleSource({
    jobs,
    predicted: (j) => (j as ReturnType<typeof job>).predicted as 'allowed' | 'denied',
    agrees: (j, r) => r.ran && ((r.observation === 'connected') === ((j as ReturnType<typeof job>).predicted === 'allowed')),
    probeRound: async (request) => {
      rounds.push(request)
      const all = [...request.checks, ...request.controls]
      now += Math.max(...all.map((c) => network(c.job.id, c.timeoutMs, rounds.length) === 'connected' ? 5 : c.timeoutMs))
      const results = all.flatMap((c): ProbeResult[] => {
        const seen = network(c.job.id, c.timeoutMs, rounds.length)
        if (seen === 'missing') return []
        return [{ jobId: c.job.id, ran: true, observation: seen, elapsedMs: seen === 'connected' ? 5 : c.timeoutMs, detail: '' }]
      })
      return { results, lagMs: 3 }
    },
    policy: retryPolicy(2000),
    settleMs,
    minRoundMs: 1000,
    now: () => now,
    sleep: async (ms) => { now += ms },
  })
  return { settled: new Map(settled.map((s) => [s.job.id, s])), rounds }
}

const web = job('web', 'allowed')
const api = job('api', 'denied')
const slow = job('slow', 'allowed')

describe('settling one source', () => {
  it('when everything agrees at once, there is one round and nothing is re-checked', async () => {
    const { rounds, settled } = await run([web, api], (id) => (id === 'web' ? 'connected' : 'timeout'))
    expect(rounds).toHaveLength(1)
    expect(settled.get('api')).toMatchObject({ attempts: 1, result: { observation: 'timeout' } })
  })

  it('a predicted-allowed check that timed out is re-checked with 4 s beside a control, and agrees once it connects', async () => {
    const { rounds, settled } = await run([web, api, slow], (id, _t, round) => (id === 'web' || (id === 'slow' && round > 1) ? 'connected' : 'timeout'))
    expect(rounds).toHaveLength(2)
    expect(rounds[1].checks.map((c) => [c.job.id, c.timeoutMs])).toEqual([['slow', 4000]])
    expect(rounds[1].controls.map((c) => c.job.id)).toEqual(['web'])
    expect(settled.get('slow')).toMatchObject({ attempts: 2, result: { observation: 'connected' } })
  })

  it('one that stays blocked while its control answers promptly is reported blocked after 2 s → 4 s → the rest of the settle period', async () => {
    const { rounds, settled } = await run([web, slow], (id) => (id === 'web' ? 'connected' : 'timeout'))
    expect(rounds.map((r) => r.checks.map((c) => c.timeoutMs))).toEqual([[2000, 2000], [4000], [6000]])
    expect(settled.get('slow')).toMatchObject({ attempts: 3, result: { ran: true, observation: 'timeout' } })
  })

  it('one whose control did not answer either is unknown: inconclusive, never blocked', async () => {
    const { settled } = await run([web, slow], (id, _t, round) => (id === 'web' && round === 1 ? 'connected' : 'timeout'))
    expect(settled.get('slow')?.result).toMatchObject({ ran: false, detail: INCONCLUSIVE })
    expect(settled.get('web')?.result).toMatchObject({ ran: true, observation: 'connected' })
  })

  it('a source that reached nothing has no control: its predicted-allowed timeouts are unknown', async () => {
    const { rounds, settled } = await run([slow, api], () => 'timeout')
    expect(rounds.slice(1).every((r) => r.controls.length === 0)).toBe(true)
    expect(settled.get('slow')?.result).toMatchObject({ ran: false, detail: INCONCLUSIVE })
    expect(settled.get('api')?.result).toMatchObject({ ran: true, observation: 'timeout' })
  })

  it('a check the container gave no result for is run again, and measured', async () => {
    const { settled } = await run([web, api], (id, _t, round) => (id === 'api' && round === 1 ? 'missing' : id === 'web' ? 'connected' : 'timeout'))
    expect(settled.get('api')).toMatchObject({ attempts: 2, result: { ran: true, observation: 'timeout' } })
  })

  it('a destination that did not answer ARP is checked again like one that did not run', async () => {
    const { settled } = await run([web, slow], (id, _t, round) => (id === 'web' || round > 1 ? 'connected' : 'unresolved'))
    expect(settled.get('slow')).toMatchObject({ attempts: 2, result: { observation: 'connected' } })
  })

  it('with no settle time, a predicted-allowed timeout cannot be confirmed: unknown', async () => {
    const { rounds, settled } = await run([web, slow], (id) => (id === 'web' ? 'connected' : 'timeout'), 0)
    expect(rounds).toHaveLength(1)
    expect(settled.get('slow')?.result).toMatchObject({ ran: false, detail: INCONCLUSIVE })
  })
})
