import { describe, expect, it } from 'vitest'
import { parseDrill } from '../../src/drill/schema.js'

const DRILL = `
title: t
difficulty: easy
task: the task
world:
  namespaces: {quiet: {}}
  pods:
    web: {labels: {app: web}, ports: [80]}
hints: [first]
solution:
  - metadata: {name: deny}
    spec: {podSelector: {}, policyTypes: [Ingress]}
expect: ["* -> web deny"]
`

const parse = (text = DRILL, name = 'x') => () => parseDrill(text, 'd.yaml', name)

describe('drill schema', () => {
  it('reads the scenario world and manifests plus the drill fields', () => {
    const drill = parse()()
    expect(drill).toMatchObject({ name: 'x', title: 't', difficulty: 'easy', task: 'the task', hints: ['first'], setup: [], tags: [] })
    expect(drill.solution).toEqual([{ namespace: 'quiet', name: 'deny', spec: { podSelector: {}, policyTypes: ['Ingress'] } }])
    expect(drill.expect.map((e) => e.text)).toEqual(['* -> web deny'])
  })

  it.each([
    ['an unknown field', DRILL.replace('title:', 'titel:'), 'd.yaml: titel: unknown field "titel"'],
    ['a difficulty outside the four levels', DRILL.replace('difficulty: easy', 'difficulty: trivial'), 'd.yaml: difficulty: expected one of easy, medium, hard, exam'],
    ['no hints', DRILL.replace('hints: [first]', 'hints: []'), 'd.yaml: hints: give at least one hint'],
    ['no solution', DRILL.replace(/solution:[\s\S]*?expect/, 'solution: []\nexpect'), 'd.yaml: solution: give the reference solution as NetworkPolicy manifests'],
    ['no expectations', DRILL.replace('expect: ["* -> web deny"]', 'expect: []'), 'd.yaml: expect: a drill needs graded expectations'],
    ['an expectation naming an unknown pod', DRILL.replace('* -> web deny', '* -> wbe deny'), 'd.yaml: expect[0]: unknown pod "wbe" (known: web)'],
    ['a solution in a namespace outside the world', DRILL.replace('{name: deny}', '{name: deny, namespace: other}'), 'd.yaml: solution[0].metadata.namespace: unknown namespace "other" (known: quiet)'],
    ['a world namespace that belongs to the cluster', DRILL.replace('quiet: {}', 'kube-system: {}'), 'd.yaml: world.namespaces.kube-system: a drill creates and deletes its namespaces'],
  ])('rejects %s with one located line', (_, text, message) => {
    expect(parse(text)).toThrow(message)
  })

  it('rejects a file name that cannot be a run-id label value', () => {
    expect(parse(DRILL, 'Bad_Name')).toThrow('drill name "Bad_Name" (the file name) must be a DNS label')
  })

  it('keeps setup policies apart from the solution', () => {
    const drill = parse(DRILL.replace('hints:', 'setup:\n  - metadata: {name: open}\n    spec: {podSelector: {}, ingress: [{}]}\nhints:'))()
    expect(drill.setup.map((p) => p.name)).toEqual(['open'])
  })
})
