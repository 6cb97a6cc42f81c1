import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScenario } from '../../src/scenario/schema.js'
import { validateScenario } from '../../src/scenario/validate.js'

const SCENARIOS = join(import.meta.dirname, '../../scenarios')

const scenario = (expect: string[], steps = '') => parseScenario(`
name: v
description: d
world:
  namespaces: {app: {}}
  pods:
    web: {labels: {app: web}, ports: [80]}
    api: {labels: {app: api}, ports: [8080]}
steps:
  - name: api isolated
    apply:
      - metadata: {name: api}
        spec: {podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}
    expect: ${JSON.stringify(expect)}
${steps}`, 'v.yaml')

describe('validation against the evaluator', () => {
  it('reports an expectation the policies contradict, with the reason', () => {
    const result = validateScenario(scenario(['web -> api:8080 allow', 'api -> api:8080 allow']))
    expect(result.contradictions).toEqual([{
      step: 'api isolated', expectation: 'api -> api:8080 allow', from: 'api', to: 'api', port: 8080, protocol: 'TCP',
      expected: 'allow', predicted: 'deny', why: 'ingress of app/api is isolated by app/api and no rule allows this connection',
    }])
  })

  it('judges a pod reaching itself by policy, as a probe pod with its identity is measured', () => {
    expect(validateScenario(scenario(['api -> api deny'])).contradictions).toEqual([])
  })

  it('lets a later line override an earlier one for the same connection', () => {
    expect(validateScenario(scenario(['* -> api deny', 'web -> api allow'])).contradictions).toEqual([])
    expect(validateScenario(scenario(['web -> api allow', '* -> api deny'])).contradictions).toHaveLength(1)
  })

  it('replays label changes before judging a step', () => {
    const relabel = `  - name: api relabelled out of the policy\n    label: [{pod: api, set: {app: other}}]\n    expect: ["* -> api allow"]\n`
    expect(validateScenario(scenario([], relabel)).contradictions).toEqual([])
  })

  it('counts the connections the expectations name', () => {
    expect(validateScenario(scenario(['* -> * allow'])).expectations).toBe(4)
  })
})

describe('every shipped scenario', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'))
  it('exists', () => expect(files.length).toBeGreaterThanOrEqual(12))
  it.each(files)('%s validates with no contradiction', (file) => {
    const path = join('scenarios', file)
    const result = validateScenario(parseScenario(readFileSync(join(SCENARIOS, file), 'utf8'), path))
    expect(result.contradictions).toEqual([])
    expect(result.expectations).toBeGreaterThan(0)
  })
})
