// kubectl netpol version as a user runs it from the repository (the executables: test/package).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }

const BIN = join(import.meta.dirname, '../../bin/run.js')
// As a user's shell runs it: vitest's NODE_ENV=test would make oclif add development warnings.
const { NODE_ENV: _testEnv, ...ENV } = process.env
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: ENV })

describe('version', () => {
  it('prints the plugin version, the Node.js it runs on and the platform', () => {
    const { status, stdout } = run(['version'])
    expect(status).toBe(0)
    expect(stdout).toBe(`kubectl-netpol ${packageJson.version} (node ${process.version}, ${process.platform}/${process.arch})\n`)
  })

  it('--json prints the same as a report', () => {
    expect(JSON.parse(run(['version', '--json']).stdout)).toEqual({
      version: packageJson.version, node: process.version, platform: `${process.platform}/${process.arch}`,
    })
  })

  it('rejects an unknown flag with a one-line error and exit 2', () => {
    const { status, stderr } = run(['version', '--bogus'])
    expect(status).toBe(2)
    expect(stderr).toMatch(/^error: Nonexistent flag: --bogus/)
  })
})
