import { describe, expect, it } from 'vitest'
import { probeProgress } from '../../src/cli/probe-progress.js'
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

describe('the progress line of a probe run', () => {
  it('announces the window and its rounds, then shows the tally at most once a second, and always when the last source is done', () => {
    const titles: string[] = []
    let now = 0
    const onEvent = probeProgress((title) => titles.push(title), () => now)
    onEvent({ kind: 'starting', sources: 2, checks: 4, mode: 'pod', window: 1, rounds: 2 })
    onEvent({ kind: 'source-ready', source: 'x/a', ready: 1, total: 1 })
    now = 500
    onEvent({ kind: 'source-probed', source: 'x/a', checks: 2 })
    now = 1200
    onEvent({ kind: 'source-done', source: 'x/a' })
    onEvent({ kind: 'source-ready', source: 'x/b', ready: 1, total: 1 })
    onEvent({ kind: 'source-probed', source: 'x/b', checks: 2 })
    onEvent({ kind: 'source-done', source: 'x/b' })
    expect(titles).toEqual([
      'Starting probe pods: 2 sources through a window of 1 (2 rounds)',
      'Probing: 0/2 sources, 0/4 checks, round 1/2 (window 1 probe pods)',
      'Probing: 1/2 sources, 2/4 checks, round 1/2 (window 1 probe pods), ETA 2s',
      'Probing: 2/2 sources, 4/4 checks, round 2/2 (window 1 probe pods)',
    ])
  })
})
