// What a person watching a long probe run wants to know: how far it is and how long it will take.
// Pure: the tally is updated from engine events and rendered to one line.

export interface ProbeTally {
  sourcesTotal: number
  sourcesStarted: number
  sourcesDone: number
  checksTotal: number
  /** Checks with a first result (re-checks are not counted again). */
  checksDone: number
  window: number
  rounds: number
  /** When the first probe container started measuring. */
  measuringSinceMs?: number
}

export function emptyTally(): ProbeTally {
  return { sourcesTotal: 0, sourcesStarted: 0, sourcesDone: 0, checksTotal: 0, checksDone: 0, window: 0, rounds: 0 }
}

/** The turn through the window the latest started source belongs to. */
export function currentRound(tally: ProbeTally): number {
  return tally.window === 0 ? 0 : Math.min(tally.rounds, Math.max(1, Math.ceil(tally.sourcesStarted / tally.window)))
}

/** Seconds left at the pace so far, once there is a pace to go by. */
export function etaSeconds(tally: ProbeTally, nowMs: number): number | undefined {
  if (tally.measuringSinceMs === undefined || tally.checksDone === 0 || tally.checksDone >= tally.checksTotal) return undefined
  const msPerCheck = (nowMs - tally.measuringSinceMs) / tally.checksDone
  return Math.ceil((msPerCheck * (tally.checksTotal - tally.checksDone)) / 1000)
}

export function tallyLine(tally: ProbeTally, nowMs: number): string {
  const eta = etaSeconds(tally, nowMs)
  return [
    `Probing: ${tally.sourcesDone}/${tally.sourcesTotal} sources`,
    `${tally.checksDone}/${tally.checksTotal} checks`,
    `round ${currentRound(tally)}/${tally.rounds} (window ${tally.window} probe pods)`,
    ...(eta === undefined ? [] : [`ETA ${formatSeconds(eta)}`]),
  ].join(', ')
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
}
