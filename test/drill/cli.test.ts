// The drill commands that need no cluster, and the drill errors of the others, as a user runs them
// (the built commands, in-process).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'

import { runCli } from '../commands/in-process.js'

const DRILLS = join(import.meta.dirname, '../../scenarios/drills')

function run(args: string[], state = mkdtempSync(join(tmpdir(), 'drill-state-')), env: Record<string, string> = {}) {
  return runCli(args, { KUBECONFIG: '/nonexistent', XDG_STATE_HOME: state, ...env })
}

describe('drill list', () => {
  it('lists every drill with its difficulty, easiest first', async () => {
    const { code, stdout } = await run(['drill', 'list'], undefined, { COLUMNS: '120' })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^NAME +DIFFICULTY +TITLE\n/)
    expect(stdout).toMatch(/\ndefault-deny +easy +Deny all ingress traffic in a namespace/)
    const difficulties = stdout.split('\n').slice(1).map((l) => l.split(/ +/)[1]).filter((d) => ['easy', 'medium', 'hard', 'exam'].includes(d))
    expect(difficulties).toEqual([...difficulties].sort((a, b) => ['easy', 'medium', 'hard', 'exam'].indexOf(a) - ['easy', 'medium', 'hard', 'exam'].indexOf(b)))
  })

  it('prints kubectl-style columns that fit 80 columns: no box lines, a long title wraps under its column', async () => {
    const { stdout } = await run(['drill', 'list'], undefined, { COLUMNS: '80' })
    expect(stdout).not.toMatch(/[─│┌┐└┘├┤┼]/)
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    const title = stdout.indexOf('TITLE')
    expect(stdout).toMatch(new RegExp(`\\ndefault-deny +easy +Deny all ingress traffic in a\\n {${title}}namespace\\n`))
  })
})

describe('drill hint', () => {
  it('gives the hints one by one, remembering which were given, then points at the solution', async () => {
    const state = mkdtempSync(join(tmpdir(), 'drill-state-'))
    expect((await run(['drill', 'hint', 'default-deny'], state)).stdout).toMatch(/^Hint 1\/3: .*\n\(2 more: kubectl netpol drill hint default-deny\)\n$/)
    expect((await run(['drill', 'hint', 'default-deny'], state)).stdout).toMatch(/^Hint 2\/3: /)
    expect((await run(['drill', 'hint', 'default-deny'], state)).stdout).toMatch(/^Hint 3\/3: [^\n]*\n$/)
    expect((await run(['drill', 'hint', 'default-deny'], state)).stdout).toBe('No more hints for default-deny (all 3 given). The reference answer: kubectl netpol drill solution default-deny\n')
  }, 30_000)

  it('--all gives every hint', async () => {
    expect((await run(['drill', 'hint', 'default-deny', '--all'])).stdout.match(/^Hint \d\/3:/gm)).toHaveLength(3)
  })
})

describe('drill solution', () => {
  it('prints NetworkPolicies in the drill\'s namespaces, ready for kubectl apply', async () => {
    const { code, stdout } = await run(['drill', 'solution', 'default-deny'])
    expect(code).toBe(0)
    expect(parseAllDocuments(stdout).map((d) => d.toJS())).toEqual([{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'quiet' }, spec: { podSelector: {}, policyTypes: ['Ingress'] },
    }])
  })
})

describe('bad input exits 2 with one line, before any cluster is needed', () => {
  it.each(['start', 'check', 'reset', 'hint', 'solution'])('drill %s of a drill that does not exist', async (command) => {
    const { code, stderr } = await run(['drill', command, 'no-such-drill'])
    expect(stderr).toMatch(/^error: no drill "no-such-drill" \(see `kubectl netpol drill list`; known: .*default-deny.*\)\n$/)
    expect(code).toBe(2)
  })

  it('drill start without a cluster says so', async () => {
    const { code, stderr } = await run(['drill', 'start', 'default-deny'])
    expect(stderr).toContain('error: no cluster configured')
    expect(code).toBe(2)
  })
})

describe('scenario validate and run on drill files', () => {
  it('validates the shipped drills with their solutions', async () => {
    const { code, stdout } = await run(['scenario', 'validate', DRILLS])
    expect(stdout).toContain('ok   ')
    expect(stdout).toMatch(/scenario\(s\): every expectation agrees with the policies/)
    expect(code).toBe(0)
  })

  it('fails a drill whose expectations already hold without the solution', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'drill-')), 'lazy.yaml')
    writeFileSync(file, readFileSync(join(DRILLS, 'default-deny.yaml'), 'utf8').replace('"* -> quiet/* deny"', '"quiet/* -> quiet/* allow"'))
    const { code, stdout } = await run(['scenario', 'validate', file])
    expect(stdout).toContain(`FAIL ${file} (drill lazy)`)
    expect(stdout).toContain('every expectation already holds without a solution: the drill needs no work')
    expect(code).toBe(1)
  })

  it('scenario run refuses a drill file and names the drill command', async () => {
    const { code, stderr } = await run(['scenario', 'run', join(DRILLS, 'default-deny.yaml')])
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(`error: ${join(DRILLS, 'default-deny.yaml')}: is a drill: run it with \`kubectl netpol drill start default-deny\``)
    expect(code).toBe(2)
  })
})
