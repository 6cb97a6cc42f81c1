// Every shipped drill: its reference solution makes every expectation hold (per the evaluator), and
// without it some expectation fails; its names do not collide with another drill's.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DIFFICULTIES, type Drill } from '../../src/drill/model.js'
import { parseDrill } from '../../src/drill/schema.js'
import { validateDrill } from '../../src/drill/validate.js'

const DIR = join(import.meta.dirname, '../../scenarios/drills')
const drills: Drill[] = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => parseDrill(readFileSync(join(DIR, f), 'utf8'), `scenarios/drills/${f}`, f.replace(/\.yaml$/, '')))

describe('the shipped drills', () => {
  it('are at least 20, with default-deny among them, and cover every difficulty', () => {
    expect(drills.length).toBeGreaterThanOrEqual(20)
    expect(drills.map((d) => d.name)).toContain('default-deny')
    for (const difficulty of DIFFICULTIES) expect(drills.filter((d) => d.difficulty === difficulty).length, difficulty).toBeGreaterThanOrEqual(2)
  })

  it.each(drills.map((d) => [d.name, d] as const))('%s: the reference solution satisfies every expectation, and nothing does without it', (_, drill) => {
    const result = validateDrill(drill)
    expect(result.contradictions).toEqual([])
    expect(result.problems).toEqual([])
  })

  it.each(drills.map((d) => [d.name, d] as const))('%s: the task names every namespace and pod the learner works with, worlds stay small', (_, drill) => {
    for (const ns of drill.world.namespaces) expect(drill.task).toMatch(new RegExp(`\\b${ns.name}\\b`))
    for (const pod of drill.world.pods) expect(drill.task).toMatch(new RegExp(`\\b${pod.name}\\b`))
    expect(drill.world.pods.length).toBeLessThanOrEqual(5)
    expect(drill.world.pods.flatMap((p) => p.ports).every((p) => p.protocol !== 'SCTP')).toBe(true)
  })

  it('use namespaces no other drill uses, so several can be started at once', () => {
    const namespaces = drills.flatMap((d) => d.world.namespaces.map((ns) => ns.name))
    expect(namespaces.filter((n, i) => namespaces.indexOf(n) !== i)).toEqual([])
  })
})
