import { describe, expect, it } from 'vitest'
import { adjustLimit, DEFAULT_LIMITER, execLimits, isSlow, spreadOrder } from '../../src/probe/limiter.js'

const fast = { startedAt: 1000, controlMs: [2, 3, 1, 4, 2, 3, 1, 2, 5, 3], lagMs: 5 }
const resent = [...fast.controlMs.slice(0, 8), 1003, 1010]
const NEVER = -Infinity
/** The bound after an exec that started at 1000 ms and ended at 5000 ms. */
const after = (limit: number, feedback: typeof fast, halvedAt = NEVER) => adjustLimit({ limit, halvedAt }, feedback, 5000).limit

describe('the adaptive in-flight bound', () => {
  it('grows by a step after an exec whose controls answered fast', () => {
    expect(after(256, fast)).toBe(256 + DEFAULT_LIMITER.step)
  })

  it('halves when control checks slow down: a tenth of the connects took a resent SYN', () => {
    expect(isSlow({ ...fast, controlMs: resent })).toBe(true)
    expect(after(256, { ...fast, controlMs: resent })).toBe(128)
  })

  it('halves once for one episode of load: execs that started before the last halving change nothing', () => {
    const halved = adjustLimit({ limit: 256, halvedAt: NEVER }, { ...fast, controlMs: resent }, 5000)
    expect(halved).toEqual({ limit: 128, halvedAt: 5000 })
    // Five more containers' execs of that episode end right after: the bound stays where the first put it.
    const stale = { ...fast, startedAt: 1200, controlMs: resent }
    expect([1, 2, 3, 4, 5].reduce((state) => adjustLimit(state, stale, 5100), halved)).toEqual(halved)
    expect(adjustLimit(halved, { ...fast, startedAt: 1200 }, 5100)).toEqual(halved)
    // An exec that ran under the halved bound and was still slow halves it again.
    expect(adjustLimit(halved, { ...stale, startedAt: 5050 }, 9000)).toEqual({ limit: 64, halvedAt: 9000 })
  })

  it('one slow connect among many is no sign of load', () => {
    expect(isSlow({ ...fast, controlMs: [...fast.controlMs, 1003] })).toBe(false)
  })

  it('halves when the checker woke late (the node is starved of CPU)', () => {
    expect(after(256, { ...fast, lagMs: 800 })).toBe(128)
  })

  it('stays within its bounds', () => {
    expect(after(DEFAULT_LIMITER.min, { ...fast, lagMs: 10_000 })).toBe(DEFAULT_LIMITER.min)
    expect(after(DEFAULT_LIMITER.max, fast)).toBe(DEFAULT_LIMITER.max)
  })

  it('is shared by the window\'s containers, each getting at least one check and one connect per host at a time', () => {
    expect(execLimits(256, 16)).toEqual({ inFlight: 16, perDestination: 1 })
    expect(execLimits(256, 9)).toEqual({ inFlight: 28, perDestination: 2 })
    expect(execLimits(16, 40).inFlight).toBe(1)
    expect(execLimits(256, 0).inFlight).toBe(256)
  })
})

describe('spreading sources over destinations', () => {
  const hosts = ['h0', 'h1', 'h2', 'h3']
  const checks = hosts.flatMap((host) => [`${host}:80`, `${host}:81`])
  const order = (source: number) => spreadOrder(checks, (c) => c.split(':')[0], source, hosts)

  it('each source starts at its own destination and walks the others in turn, ports of one host together', () => {
    expect(order(0)).toEqual(checks)
    expect(order(2)).toEqual(['h2:80', 'h2:81', 'h3:80', 'h3:81', 'h0:80', 'h0:81', 'h1:80', 'h1:81'])
  })

  it('as many sources as destinations start on all different destinations', () => {
    expect(new Set(hosts.map((_, source) => order(source)[0].split(':')[0])).size).toBe(hosts.length)
  })

  it('hosts outside the list (external addresses) come last, in their given order', () => {
    expect(spreadOrder(['x:1', 'h1:80', 'y:2'], (c) => c.split(':')[0], 1, hosts)).toEqual(['h1:80', 'x:1', 'y:2'])
  })
})
