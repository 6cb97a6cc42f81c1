import { describe, expect, it } from 'vitest'
import { NEIGHBOUR_INCONCLUSIVE, type ProbeResult } from '../../src/model/probe.js'
import { isTrouble, judgeTimeout, troubleDuring, type NeighbourTrouble } from '../../src/probe/neighbours.js'

const timeout: ProbeResult = { jobId: 'j', ran: true, observation: 'timeout', elapsedMs: 2000, detail: 'timed out after 2000 ms' }
const trouble = (startedAt: number, endedAt: number): NeighbourTrouble => ({ startedAt, endedAt, missing: 1, evicted: 0 })

describe('timeouts and the node\'s neighbour table', () => {
  it('an exec that saw an entry the node could not create, or one it evicted, is a sighting; one that saw neither is not', () => {
    expect([{ missing: 1, evicted: 0 }, { missing: 0, evicted: 2 }, { missing: 0, evicted: 0 }, undefined].map(isTrouble)).toEqual([true, true, false, false])
  })

  it('a sighting counts for an attempt whose exec overlapped it, or came within a second of it', () => {
    const attempt = { startedAt: 10_000, endedAt: 14_000 }
    expect(troubleDuring(attempt, [trouble(12_000, 13_000)])).toBe(true)
    expect(troubleDuring(attempt, [trouble(14_500, 20_000)])).toBe(true)
    expect(troubleDuring(attempt, [trouble(5_000, 9_500)])).toBe(true)
    expect(troubleDuring(attempt, [trouble(15_500, 20_000), trouble(1_000, 8_500)])).toBe(false)
  })

  it('a timeout measured during a sighting is unknown with the reason, never blocked', () => {
    expect(judgeTimeout(timeout, { startedAt: 0, endedAt: 2000 }, [trouble(1000, 3000)])).toEqual({ jobId: 'j', ran: false, reason: 'not-probed', detail: NEIGHBOUR_INCONCLUSIVE })
    const unreachable: ProbeResult = { ...timeout, observation: 'unreachable' }
    expect(judgeTimeout(unreachable, { startedAt: 0, endedAt: 2000 }, [trouble(1000, 3000)])).toMatchObject({ ran: false, detail: NEIGHBOUR_INCONCLUSIVE })
  })

  it('a timeout with no sighting near it stands, and so does an answer during one: it proves the path', () => {
    expect(judgeTimeout(timeout, { startedAt: 0, endedAt: 2000 }, [trouble(10_000, 12_000)])).toBe(timeout)
    const connected: ProbeResult = { ...timeout, observation: 'connected', elapsedMs: 3 }
    expect(judgeTimeout(connected, { startedAt: 0, endedAt: 2000 }, [trouble(0, 2000)])).toBe(connected)
    expect(judgeTimeout(timeout, undefined, [trouble(0, 2000)])).toBe(timeout)
  })
})
