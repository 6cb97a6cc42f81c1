import { describe, expect, it } from 'vitest'
import { decide, INCONCLUSIVE, retryPolicy, type Attempt, type CheckHistory } from '../../src/probe/retry.js'

const policy = retryPolicy(2000)
const timeout = (timeoutMs: number, controlMs?: number, lagMs = 5): Attempt => ({ observation: 'timeout', timeoutMs, controlMs, lagMs })
const allowedBlocked = (...attempts: Attempt[]): CheckHistory => ({ predicted: 'allowed', attempts, agrees: false })

describe('a predicted-allowed check observed blocked', () => {
  it('is re-checked with a doubled timeout and a control beside it while the settle period lasts', () => {
    expect(decide(allowedBlocked(timeout(2000)), 8000, policy)).toEqual({ kind: 'retry', timeoutMs: 4000, control: true })
    expect(decide(allowedBlocked(timeout(2000), timeout(4000)), 8000, policy)).toEqual({ kind: 'retry', timeoutMs: 8000, control: true })
  })

  it('timeouts grow 2 s → 4 s → 8 s and no further', () => {
    expect(decide(allowedBlocked(timeout(2000), timeout(4000), timeout(8000)), 30_000, policy)).toMatchObject({ timeoutMs: 8000 })
  })

  it('no attempt runs past the settle deadline', () => {
    expect(decide(allowedBlocked(timeout(2000), timeout(4000)), 2500, policy)).toEqual({ kind: 'retry', timeoutMs: 2500, control: true })
  })

  it('is reported blocked once re-checked with a longer timeout while a control from the same pod answered promptly', () => {
    expect(decide(allowedBlocked(timeout(2000, 3), timeout(4000, 12)), 0, policy)).toEqual({ kind: 'report' })
  })

  it('is unknown when the control of its last round did not answer promptly', () => {
    expect(decide(allowedBlocked(timeout(2000, 3), timeout(4000, 1800)), 0, policy)).toEqual({ kind: 'unknown', reason: INCONCLUSIVE })
  })

  it('is unknown when the container reached nothing it could use as a control', () => {
    expect(decide(allowedBlocked(timeout(2000), timeout(4000)), 0, policy)).toEqual({ kind: 'unknown', reason: INCONCLUSIVE })
  })

  it('is unknown when it was never re-checked with a longer timeout (no settle time)', () => {
    expect(decide(allowedBlocked(timeout(2000, 3)), 0, policy)).toEqual({ kind: 'unknown', reason: INCONCLUSIVE })
  })
})

describe('other observations', () => {
  it('a predicted-denied timeout agrees when the checker kept its deadlines', () => {
    expect(decide({ predicted: 'denied', attempts: [timeout(2000)], agrees: true }, 8000, policy)).toEqual({ kind: 'report' })
  })

  it('a predicted-denied timeout from a starved checker is re-checked, then unknown', () => {
    const starved: CheckHistory = { predicted: 'denied', attempts: [timeout(2000, undefined, 1500)], agrees: true }
    expect(decide(starved, 8000, policy)).toEqual({ kind: 'retry', timeoutMs: 2000, control: false })
    expect(decide(starved, 0, policy)).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/too slow to keep its deadlines \(woke 1500 ms late\)/) })
  })

  it('a check that did not run is run again while time remains, then reported as not run (unknown, never blocked)', () => {
    const notRun: CheckHistory = { predicted: 'allowed', attempts: [{ observation: 'not-run', timeoutMs: 2000 }], agrees: false }
    expect(decide(notRun, 8000, policy)).toEqual({ kind: 'retry', timeoutMs: 2000, control: false })
    expect(decide(notRun, 0, policy)).toEqual({ kind: 'report' })
  })

  it('a check whose probe pod is gone is reported as not run at once: nothing can run it again', () => {
    const gone: CheckHistory = { predicted: 'allowed', attempts: [{ observation: 'cannot-run', timeoutMs: 2000 }], agrees: false }
    expect(decide(gone, 8000, policy)).toEqual({ kind: 'report' })
  })

  it('an answered check that disagrees (under-enforced) is re-probed at the normal timeout until the settle period has passed', () => {
    const through: CheckHistory = { predicted: 'denied', attempts: [{ observation: 'answered', timeoutMs: 2000 }], agrees: false }
    expect(decide(through, 8000, policy)).toEqual({ kind: 'retry', timeoutMs: 2000, control: false })
    expect(decide(through, 500, policy)).toEqual({ kind: 'report' })
  })

  it('an agreement is reported at once', () => {
    expect(decide({ predicted: 'allowed', attempts: [{ observation: 'answered', timeoutMs: 2000 }], agrees: true }, 8000, policy)).toEqual({ kind: 'report' })
  })
})
