// What a run dials (--target): the real destination pods, their stand-ins, or both. Stand-ins
// take places in the probe-pod window: the destinations go in turns of at most half the window,
// each turn's stand-ins exist while every source probes them (through the rest of the window), and
// are deleted before the next turn starts. Checks to destinations without a stand-in (externals,
// fallbacks) run in the first turn. Every turn starts every source's probe pod again, so when
// --target is not given and the stand-ins need more than one turn, the real pods are dialled instead.
import type { Evaluator } from '../evaluate/evaluate.js'
import type { ProbeJob } from '../plan/plan.js'
import { planStandIns, targetJobs, type Fallback, type ProbeTargetKind, type StandInSpec, type StandInSurroundings } from '../plan/stand-ins.js'
import type { Judge, ProbeEngine, SettledCheck } from './engine.js'

export interface TargetedRun {
  /** What was dialled: `pods` when stand-ins were only the default and did not fit in one turn. */
  target: ProbeTargetKind
  settled: SettledCheck[]
  /** One line per destination dialled directly although stand-ins were asked for. */
  notes: string[]
}

export async function probeTargets(
  engine: ProbeEngine, evaluator: Evaluator, jobs: ProbeJob[], judge: Judge, target: TargetChoice, surroundings: () => Promise<StandInSurroundings>,
): Promise<TargetedRun> {
  if (target.kind === 'pods') return { target: 'pods', settled: await engine.run(jobs, judge), notes: [] }
  // A check through a Service (--service) dials the Service's endpoints, never a stand-in.
  const plan = planStandIns(evaluator, jobs.filter((j) => !j.target.service), await surroundings())
  const window = await engine.window()
  const fallbacks: Fallback[] = [...plan.fallbacks]
  let standIns = plan.standIns
  if (window < 2) {
    fallbacks.push(...standIns.map((s) => ({ destination: s.destination, reason: `the probe-pod window (${window}) has no room for a stand-in beside a probe pod` })))
    standIns = []
  }
  const turnSize = Math.max(1, Math.floor(window / 2))
  if (target.byDefault && standIns.length > turnSize) {
    const note = `dialled the real pods, not stand-ins: the ${standIns.length} stand-ins do not fit beside the probe pods in the probe-pod window (${window}) at once, and taking them in turns restarts every probe pod each turn (--target stand-ins insists; --max-probe-pods widens the window)`
    return { target: 'pods', settled: await engine.run(jobs, judge), notes: [note] }
  }
  const settled: SettledCheck[] = []
  for (const [index, turn] of turnsOf(standIns, turnSize).entries()) {
    const destinations = new Set(turn.map((s) => s.destination))
    const turnJobs = jobs.filter((j) => destinations.has(j.to.key) || (index === 0 && !standIns.some((s) => s.destination === j.to.key)))
    const started = await engine.startStandIns(turn)
    try {
      for (const [destination, placement] of started.placements) {
        if ('failed' in placement) fallbacks.push({ destination, reason: `its stand-in did not start: ${placement.failed}` })
      }
      settled.push(...await engine.run(targetJobs(turnJobs, target.kind, started.placements, fallbacks), judge, Math.max(1, window - turn.length)))
    } finally {
      await engine.releaseStandIns(started)
    }
  }
  return { target: target.kind, settled, notes: fallbacks.map((f) => `${f.destination}: dialled the real pod, not a stand-in: ${f.reason}`) }
}

/** --target, and whether it was only the default (stand-ins then give way to the real pods when they need turns). */
export interface TargetChoice {
  kind: ProbeTargetKind
  byDefault?: boolean
}

/** The stand-ins in turns of at most `size`; one empty turn when there are none. */
export function turnsOf(standIns: StandInSpec[], size: number): StandInSpec[][] {
  if (standIns.length === 0) return [[]]
  const turns: StandInSpec[][] = []
  for (let i = 0; i < standIns.length; i += size) turns.push(standIns.slice(i, i + size))
  return turns
}
