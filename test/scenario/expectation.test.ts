import { describe, expect, it } from 'vitest'
import { expandExpectation, parseExpectation, parseTable, type Candidate } from '../../src/scenario/expectation.js'

const pod = (id: string, namespace: string, labels: Record<string, string>, ports: Candidate['ports']): Candidate =>
  ({ id, namespace, name: id.split('/').pop()!, labels, ports })
const WEB = pod('web', 'app', { app: 'web' }, [{ port: 80, protocol: 'TCP', name: 'http' }, { port: 53, protocol: 'UDP', name: 'dns' }])
const API = pod('api', 'app', { app: 'api' }, [{ port: 8080, protocol: 'TCP', name: 'http' }])
const DB = pod('db', 'data', { app: 'db' }, [{ port: 5432, protocol: 'TCP' }])
const ALL = [WEB, API, DB]

const expand = (text: string) => expandExpectation(parseExpectation(text), ALL, ALL).map((c) => `${c.from}>${c.to}:${c.port}/${c.protocol}`)

describe('the compact form', () => {
  it.each([
    ['a number without protocol means TCP', 'web -> api:8080 allow', ['web>api:8080/TCP']],
    ['a protocol suffix is case-insensitive', 'web -> web:53/UDP deny', ['web>web:53/UDP']],
    ['no port means every port the destination declares', 'api -> web deny', ['api>web:80/TCP', 'api>web:53/UDP']],
    ['a named port resolves on each destination', '* -> app/*:http allow', ['web>web:80/TCP', 'web>api:8080/TCP', 'api>web:80/TCP', 'api>api:8080/TCP', 'db>web:80/TCP', 'db>api:8080/TCP']],
    ['NAMESPACE/* selects a namespace', 'data/* -> web:80 allow', ['db>web:80/TCP']],
    ['NAMESPACE/NAME selects one pod', 'data/db -> api:8080 allow', ['db>api:8080/TCP']],
    ['NAMESPACE/SELECTOR selects by labels', 'app/app!=web -> db deny', ['api>db:5432/TCP']],
    ['a port a destination does not declare skips that destination', 'web -> *:5432 deny', ['web>db:5432/TCP']],
  ])('%s', (_, text, expected) => {
    expect(expand(text)).toEqual(expected)
  })

  it('reads allow and deny', () => {
    expect(parseExpectation('web -> api allow').allowed).toBe(true)
    expect(parseExpectation('web -> api deny').allowed).toBe(false)
  })

  it.each([
    ['an unknown pod lists the known ones', 'wbe -> api allow', 'unknown pod "wbe" (known: web, api, db)'],
    ['an unknown namespace lists the known ones', 'nope/* -> api allow', 'unknown namespace "nope" (known: app, data)'],
    ['a selector matching nothing', 'app/tier=x -> api allow', 'app/tier=x matches no source pod'],
    ['a port nobody declares', 'web -> api:9999 allow', 'no destination declares port 9999'],
    ['a missing verdict', 'web -> api', 'cannot parse'],
    ['an unknown protocol', 'web -> api:80/icmp allow', 'unknown protocol "icmp"'],
    ['a port out of range', 'web -> api:70000 allow', 'port 70000 must be between 1 and 65535'],
  ])('rejects %s', (_, text, message) => {
    expect(() => expand(text)).toThrow(message)
  })
})

describe('the truth-table form', () => {
  it('makes one expectation per cell, with or without a corner label, skipping ?', () => {
    const withCorner = parseTable('80/udp', '- web api\nweb . X\napi ? .')
    const without = parseTable('80/udp', 'web api\nweb . X\napi ? .')
    for (const table of [withCorner, without]) {
      expect(table.map((e) => [e.text, e.protocol])).toEqual([
        ['web -> web:80/udp allow', 'UDP'], ['web -> api:80/udp deny', 'UDP'], ['api -> api:80/udp allow', 'UDP'],
      ])
    }
  })

  it('defaults to TCP and rejects unknown marks', () => {
    expect(parseTable('80', 'web\nweb .')[0].protocol).toBe('TCP')
    expect(() => parseTable('80', 'web\nweb y')).toThrow('must be . (allow), X (deny) or ? (no expectation)')
  })
})
