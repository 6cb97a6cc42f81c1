import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/model/errors.js'
import type { Candidate } from '../../src/scenario/expectation.js'
import { checkNames, judgeExpectations, type MeasuredCheck } from '../../src/scenario/live-expect.js'
import { parseExpectationFile } from '../../src/scenario/schema.js'

const pod = (namespace: string, name: string, labels: Record<string, string>): Candidate =>
  ({ id: `${namespace}/${name}`, namespace, name, labels, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }] })
const WEB = pod('shop', 'web-1', { app: 'web' })
const DB = pod('shop', 'db-0', { app: 'db' })
const OTHER = pod('other', 'x', { app: 'x' })
const measured = (from: Candidate, to: Candidate, observed: MeasuredCheck['observed']): MeasuredCheck => ({ from, to, port: 8080, protocol: 'TCP', observed })

describe('probe --expect files', () => {
  it('are a YAML list of compact lines or tables, located by index', () => {
    const expectations = parseExpectationFile('- "shop/* -> shop/app=db:8080 deny"\n- {table: 8080, rows: "shop/db-0\\nshop/web-1 ."}\n', 'e.yaml')
    expect(expectations.map((e) => [e.path, e.text])).toEqual([['[0]', 'shop/* -> shop/app=db:8080 deny'], ['[1]', 'shop/web-1 -> shop/db-0:8080/tcp allow']])
  })

  it.each([
    ['not a list', 'a: b', 'e.yaml: expected array'],
    ['a line that does not parse', '- "web to db deny"', 'e.yaml: [0]: cannot parse'],
  ])('reject %s with exit 2', (_, text, message) => {
    expect(() => parseExpectationFile(text, 'e.yaml')).toThrow(message)
    expect(() => parseExpectationFile(text, 'e.yaml')).toThrow(InputError)
  })

  it('must name pods in scope, before anything is created', () => {
    const [typo] = parseExpectationFile('- "shop/web-1 -> shop/app=dbb deny"', 'e.yaml')
    expect(() => checkNames([typo], [WEB, DB], 'e.yaml')).toThrow('e.yaml: [0]: shop/app=dbb matches no destination pod (among the pods in scope)')
  })
})

describe('judging measured connections', () => {
  const expectations = parseExpectationFile('- "shop/* -> shop/app=db deny"\n- "shop/app=web -> shop/db-0:http allow"', 'e.yaml')

  it('uses the last expectation covering a connection and ignores connections none covers', () => {
    const report = judgeExpectations('e.yaml', expectations, [
      measured(WEB, DB, 'allowed'), measured(DB, DB, 'allowed'), measured(OTHER, DB, 'allowed'), measured(DB, WEB, 'blocked'),
    ])
    expect(report.checks.map((c) => [c.from, c.to, c.expectation, c.outcome])).toEqual([
      ['shop/web-1', 'shop/db-0', 'shop/app=web -> shop/db-0:http allow', 'pass'],
      ['shop/db-0', 'shop/db-0', 'shop/* -> shop/app=db deny', 'violated'],
    ])
    expect(report.summary).toEqual({ checks: 2, pass: 1, violated: 1, unknown: 0 })
  })

  it('a refusal meets a deny expectation and breaks an allow one: the connection did not go through', () => {
    const report = judgeExpectations('e.yaml', expectations, [measured(DB, DB, 'refused'), measured(WEB, DB, 'refused')])
    expect(report.checks.map((c) => [c.expectation, c.outcome])).toEqual([
      ['shop/* -> shop/app=db deny', 'pass'],
      ['shop/app=web -> shop/db-0:http allow', 'violated'],
    ])
  })

  it('does not judge what could not be measured', () => {
    expect(judgeExpectations('e.yaml', expectations, [measured(DB, DB, 'unknown')]).checks[0].outcome).toBe('unknown')
  })
})
