// The one-line reason a probe finding or a drill miss carries, from the real evaluator.
import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { explain } from '../../src/evaluate/explain.js'
import { decidingRule } from '../../src/report/deciding.js'
import { policy, upstreamWorld } from '../support/world.js'

const world = upstreamWorld([
  policy('x', 'only-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }, { from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }),
  policy('y', 'no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] }),
])
const evaluator = createEvaluator(world)
const reason = (from: string, to: string) =>
  decidingRule(explain(evaluator.evaluate({ from: evaluator.endpoint(from)!, to: evaluator.endpoint(to)!, port: 80, protocol: 'TCP' }), evaluator))

describe('the deciding rule of a verdict', () => {
  it('an allowed connection names the rule that allows it on each isolated side', () => {
    expect(reason('x/b', 'x/a')).toBe('allowed by x/only-b ingress[1]')
  })

  it('a denied connection names the policies of each side that blocks it', () => {
    expect(reason('z/a', 'x/a')).toBe('denied by x/only-b ingress (no rule matches)')
    expect(reason('y/a', 'x/a')).toBe('denied by y/no-egress egress (no rule matches) and x/only-b ingress (no rule matches)')
  })

  it('says so when no policy isolates either side, and for a pod reaching itself', () => {
    expect(reason('z/a', 'z/b')).toBe('allowed (no policy isolates either side)')
    expect(reason('x/a', 'x/a')).toBe('allowed (a pod reaching itself)')
  })
})
