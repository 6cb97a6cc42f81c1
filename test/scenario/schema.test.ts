import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/model/errors.js'
import { parseScenario } from '../../src/scenario/schema.js'

const FILE = 'scenarios/x.yaml'

const VALID = `
name: tiers
description: three tiers
world:
  namespaces:
    shop: {tier: app}
  pods:
    frontend: {labels: {app: frontend}, ports: [80]}
    backend: {labels: {app: backend}, ports: [{port: 8080, name: http}, {port: 8081, protocol: UDP}]}
    db: {labels: {app: db}, ports: [5432]}
steps:
  - name: open
    expect: ["* -> * allow"]
  - name: db from backend
    apply:
      - metadata: {name: db}
        spec:
          podSelector: {matchLabels: {app: db}}
          ingress: [{from: [{podSelector: {matchLabels: {app: backend}}}]}]
    expect:
      - "frontend -> backend:8080 allow"
      - "backend -> db:5432 allow"
      - "frontend -> db deny"
`

function errorOf(text: string): InputError {
  try {
    parseScenario(text, FILE)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected the scenario to be rejected')
}

describe('a valid scenario', () => {
  const scenario = parseScenario(VALID, FILE)

  it('defaults a pod to the only namespace and a bare port to TCP', () => {
    expect(scenario.world.pods.find((p) => p.id === 'frontend')).toEqual({ id: 'frontend', namespace: 'shop', name: 'frontend', labels: { app: 'frontend' }, ports: [{ port: 80, protocol: 'TCP' }] })
    expect(scenario.world.pods.find((p) => p.id === 'backend')?.ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'http' }, { port: 8081, protocol: 'UDP' }])
  })

  it('turns policy manifests into validated policies in the world namespace', () => {
    expect(scenario.steps[1].apply).toEqual([{ namespace: 'shop', name: 'db', spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }] }] } }])
  })

  it('keeps each expectation with its field path', () => {
    expect(scenario.steps[1].expect.map((e) => e.path)).toEqual(['steps[1].expect[0]', 'steps[1].expect[1]', 'steps[1].expect[2]'])
  })

  it('names a pod `ns/name` by its key and takes the namespace from it', () => {
    const twoNamespaces = VALID.replace('shop: {tier: app}', 'shop: {tier: app}\n    other: {}').replace('    db: {labels', '    other/db: {labels').replace(/db:5432|-> db deny/g, (m) => m.replace('db', 'other/db'))
      .replace('metadata: {name: db}', 'metadata: {name: db, namespace: other}').replace('from: [{podSelector', 'from: [{namespaceSelector: {}, podSelector')
      .replace('frontend: {labels', 'frontend: {namespace: shop, labels').replace('backend: {labels', 'backend: {namespace: shop, labels')
    const parsed = parseScenario(twoNamespaces, FILE)
    expect(parsed.world.pods.find((p) => p.id === 'other/db')).toMatchObject({ namespace: 'other', name: 'db' })
  })
})

describe('malformed scenarios are rejected with one line naming the file and field', () => {
  const cases: Array<[string, string, string]> = [
    ['YAML syntax', 'name: [unclosed', `${FILE}: YAML syntax error`],
    ['a missing required field', VALID.replace('description: three tiers\n', ''), `${FILE}: description: is required`],
    ['an unknown top-level field', VALID.replace('description:', 'colour: red\ndescription:'), `${FILE}: colour: unknown field "colour"`],
    ['an unknown step field', VALID.replace('  - name: open\n', '  - name: open\n    expct: []\n'), `${FILE}: steps[0].expct: unknown field "expct"`],
    ['an unknown pod in an expectation', VALID.replace('backend -> db:5432 allow', 'backnd -> db:5432 allow'), `${FILE}: steps[1].expect[1]: unknown pod "backnd" (known: frontend, backend, db)`],
    ['an unknown namespace in an expectation', VALID.replace('frontend -> db deny', 'shp/* -> db deny'), `${FILE}: steps[1].expect[2]: unknown namespace "shp" (known: shop)`],
    ['an expectation that does not parse', VALID.replace('frontend -> db deny', 'frontend to db deny'), `${FILE}: steps[1].expect[2]: cannot parse "frontend to db deny"`],
    ['a port no destination declares', VALID.replace('backend -> db:5432 allow', 'backend -> db:5433 allow'), `${FILE}: steps[1].expect[1]: no destination declares port 5433`],
    ['a numeric label value', VALID.replace('shop: {tier: app}', 'shop: {tier: 1}'), `${FILE}: world.namespaces.shop.tier: expected string`],
    ['a pod without ports', VALID.replace('frontend: {labels: {app: frontend}, ports: [80]}', 'frontend: {labels: {app: frontend}, ports: []}'), `${FILE}: world.pods.frontend.ports: a pod needs at least one port`],
    ['a policy field the API rejects', VALID.replace('ingress: [{from:', 'ingress: [{form:'), `${FILE}: steps[1].apply[0].spec.ingress[0].form: unknown field "form"`],
    ['a policy in an unknown namespace', VALID.replace('metadata: {name: db}', 'metadata: {name: db, namespace: shopp}'), `${FILE}: steps[1].apply[0].metadata.namespace: unknown namespace "shopp" (known: shop)`],
    ['a kind other than NetworkPolicy', VALID.replace('metadata: {name: db}', 'kind: Pod\n        metadata: {name: db}'), `${FILE}: steps[1].apply[0].kind: only NetworkPolicy manifests can be applied`],
    ['deleting a policy that does not exist', VALID.replace('  - name: open\n', '  - name: open\n    delete: [nope]\n'), `${FILE}: steps[0].delete[0]: no policy "shop/nope" exists at this step`],
    ['replacing a policy that does not exist', VALID.replace('    apply:\n', '    replace:\n'), `${FILE}: steps[1].replace[0]: no policy "shop/db" exists at this step (use apply to create it)`],
    ['relabelling an unknown pod', VALID.replace('  - name: open\n', '  - name: open\n    label: [{pod: nobody, set: {a: b}}]\n'), `${FILE}: steps[0].label[0].pod: unknown pod "nobody"`],
    ['a table row with too few cells', VALID.replace('expect: ["* -> * allow"]', 'expect: [{table: 80, rows: "frontend backend db\\nfrontend ."}]'), `${FILE}: steps[0].expect[0]: table line 2 ("frontend") has 1 cells for 3 destinations`],
    ['a pod named dns when the cluster DNS takes part', VALID.replace('world:\n', 'world:\n  dns: true\n').replace('    db: {labels', '    dns: {labels'), `${FILE}: world.pods.dns: "dns" names the cluster DNS`],
  ]
  it.each(cases)('%s', (_, text, message) => {
    const error = errorOf(text)
    expect(error.message).toContain(message)
    expect(error.message.startsWith(`${FILE}: `)).toBe(true)
    expect(error.message).not.toContain('\n')
    expect(error.exitCode).toBe(2)
  })
})
