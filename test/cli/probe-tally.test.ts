import { describe, expect, it } from 'vitest'
import { currentRound, emptyTally, etaSeconds, tallyLine, type ProbeTally } from '../../src/cli/probe-tally.js'

const tally = (over: Partial<ProbeTally>): ProbeTally => ({ ...emptyTally(), sourcesTotal: 60, checksTotal: 3600, window: 20, rounds: 3, ...over })

describe('progress of a long probe run', () => {
  it('says sources and checks done out of their totals, the round through the window, and an ETA at the pace so far', () => {
    expect(tallyLine(tally({ sourcesStarted: 30, sourcesDone: 12, checksDone: 900, measuringSinceMs: 0 }), 15_000))
      .toBe('Probing: 12/60 sources, 900/3600 checks, round 2/3 (window 20 probe pods), ETA 45s')
  })

  it('gives no ETA before anything was measured, nor once everything was', () => {
    expect(etaSeconds(tally({ checksDone: 0, measuringSinceMs: 0 }), 5000)).toBeUndefined()
    expect(etaSeconds(tally({ checksDone: 3600, measuringSinceMs: 0 }), 5000)).toBeUndefined()
  })

  it('writes long ETAs in minutes', () => {
    expect(tallyLine(tally({ sourcesStarted: 1, checksDone: 100, measuringSinceMs: 0 }), 10_000)).toMatch(/ETA 5m50s$/)
  })

  it('the round is the turn of the latest started source, never past the last', () => {
    expect([1, 20, 21, 60, 61].map((sourcesStarted) => currentRound(tally({ sourcesStarted })))).toEqual([1, 1, 2, 3, 3])
  })
})
