// `scenario validate` and the input errors of `scenario run`, as a user runs them: the built commands, in-process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import { runCli } from '../commands/in-process.js'

const TIERS = join(import.meta.dirname, '../../scenarios/tiers.yaml')

function run(args: string[]) {
  return runCli(args, { KUBECONFIG: '/nonexistent' })
}

function variant(edit: (text: string) => string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'netpol-scenario-')), 'x.yaml')
  writeFileSync(file, edit(readFileSync(TIERS, 'utf8')))
  return file
}

describe('scenario validate', () => {
  it('exits 0 on the shipped scenarios', async () => {
    const { code, stdout } = await run(['scenario', 'validate', join(import.meta.dirname, '../../scenarios')])
    expect(stdout).toMatch(/scenario\(s\): every expectation agrees with the policies/)
    expect(code).toBe(0)
  })

  it('exits 1 and lists each expectation the policies contradict', async () => {
    const file = variant((t) => t.replace('"backend -> db:5432 allow"', '"backend -> db:5432 deny"'))
    const { code, stdout } = await run(['scenario', 'validate', file])
    expect(stdout).toContain('step "each tier accepts only the tier in front of it": backend -> db TCP/5432: expected deny ("backend -> db:5432 deny"), predicted allow: allowed by shop/db-from-backend ingress[0]')
    expect(code).toBe(1)
  })

  it('exits 2 with one line naming file and field for a malformed file', async () => {
    const file = variant((t) => t.replace('"backend -> db:5432 allow"', '"backnd -> db:5432 allow"'))
    const { code, stderr, stdout } = await run(['scenario', 'validate', file])
    expect(stderr).toBe(`error: ${file}: steps[1].expect[3]: unknown pod "backnd" (known: frontend, backend, db)\n`)
    expect(stdout).toBe('')
    expect(code).toBe(2)
  })

  it('-o json carries the contradictions', async () => {
    const file = variant((t) => t.replace('"backend -> db:5432 allow"', '"backend -> db:5432 deny"'))
    const report = JSON.parse((await run(['scenario', 'validate', file, '-o', 'json'])).stdout)
    expect(report.summary).toEqual({ scenarios: 1, expectations: 20, contradictions: 1 })
    expect(report.scenarios[0].contradictions[0]).toMatchObject({ from: 'backend', to: 'db', port: 5432, expected: 'deny', predicted: 'allow' })
  })
})

describe('scenario run', () => {
  it('rejects a malformed file before it needs a cluster', async () => {
    const file = variant((t) => t.replace('description:', 'descripton:'))
    const { code, stderr } = await run(['scenario', 'run', TIERS, file])
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(`error: ${file}: descripton: unknown field "descripton"`)
    expect(stderr).not.toMatch(/kubeconfig|cluster/)
    expect(code).toBe(2)
  })

  it('takes --enforcer-hint as probe does: an enforcer it knows deviations of, or a one-line error naming the flag', async () => {
    const { code, stderr } = await run(['scenario', 'run', TIERS, '--enforcer-hint', 'calico'])
    expect(stderr).toBe('error: Expected --enforcer-hint=calico to be one of: kube-router, kube-network-policies (see `kubectl netpol scenario run --help`)\n')
    expect(code).toBe(2)
    for (const command of [['probe'], ['scenario', 'run'], ['drill', 'check']]) {
      expect((await run([...command, '--help'])).stdout).toMatch(/--enforcer-hint=<option>\s+The NetworkPolicy enforcer the cluster runs;/)
    }
  })
})
