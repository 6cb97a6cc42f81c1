// The single-file executables of `npm run package`: the host's runs with no node on PATH and
// behaves as `node bin/run.js`; the other four are the right binary format with the app injected.
import { Config } from '@oclif/core'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import packageJson from '../../package.json' with { type: 'json' }
import { executablePath, NODE_VERSION, ROOT, TARGETS, type Target } from '../../scripts/package/targets.js'
import { EXE, HOST, runBare, TOOLS_BIN } from './support.js'

const BIN = join(ROOT, 'bin/run.js')
const runNode = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe(`the ${HOST.os}/${HOST.arch} executable without node on PATH`, () => {
  it('version prints the plugin version, its embedded Node.js and the platform', () => {
    const { code, stdout } = runBare(EXE, ['version'])
    expect(code).toBe(0)
    expect(stdout).toBe(`kubectl-netpol ${packageJson.version} (node v${NODE_VERSION}, ${process.platform}/${process.arch})\n`)
    expect(runBare(EXE, ['--version']).stdout).toContain(`kubectl-netpol/${packageJson.version}`)
  })

  it('predict -f on the shipped CI example gives the same JSON report as node bin/run.js', () => {
    const args = ['predict', '-f', join(ROOT, 'scenarios/ci/example-app.yaml'), '-o', 'json']
    const bundled = runBare(EXE, args)
    expect(bundled.code).toBe(0)
    expect(bundled.stderr).not.toMatch(/DeprecationWarning|ExperimentalWarning/)
    const report = JSON.parse(bundled.stdout)
    expect(report.matrix.length).toBeGreaterThan(0)
    expect(report).toEqual(JSON.parse(runNode(args).stdout))
  })

  it('scenario validate reads a shipped scenario like node bin/run.js', () => {
    const args = ['scenario', 'validate', join(ROOT, 'scenarios/tiers.yaml')]
    const bundled = runBare(EXE, args)
    expect(bundled.code).toBe(0)
    expect(bundled.stdout).toBe(runNode(args).stdout)
  })

  it('drill list finds the drills that the archive carries next to the executable', () => {
    const { code, stdout } = runBare(EXE, ['drill', 'list', '--json'])
    expect(code).toBe(0)
    const drills = readdirSync(join(ROOT, 'scenarios/drills')).filter((f) => f.endsWith('.yaml'))
    expect(JSON.parse(stdout).drills).toHaveLength(drills.length)
  })

  it('bad input is a one-line error with exit 2', () => {
    const { code, stderr } = runBare(EXE, ['predict', '-f', '/nonexistent/world.yaml'])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/^error: .*\/nonexistent\/world\.yaml/)
  })

  it('has every command that node bin/run.js discovers', async () => {
    const config = await Config.load(ROOT)
    expect(config.commandIDs).toContain('version')
    for (const id of config.commandIDs) {
      const { code, stdout } = runBare(EXE, [...id.split(':'), '--help'])
      expect({ id, code }).toEqual({ id, code: 0 })
      expect(stdout).toContain('USAGE')
    }
  })
})

// The machine type each header must carry, and where it sits.
function binaryFormat(head: Buffer): string {
  if (head.readUInt32BE(0) === 0x7f454c46) return `elf-${({ 0x3e: 'amd64', 0xb7: 'arm64' } as Record<number, string>)[head.readUInt16LE(18)]}`
  if (head.readUInt32LE(0) === 0xfeedfacf) return `macho-${({ 0x01000007: 'amd64', 0x0100000c: 'arm64' } as Record<number, string>)[head.readUInt32LE(4)]}`
  if (head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c)
    return `pe-${head.readUInt16LE(pe + 4) === 0x8664 ? 'amd64' : 'other'}`
  }
  return 'unknown'
}
const FORMAT: Record<Target['os'], string> = { linux: 'elf', darwin: 'macho', windows: 'pe' }

describe('every platform executable', () => {
  it.each(TARGETS.map((t) => [`${t.os}/${t.arch}`, t] as const))('%s is a %s binary with the application injected', (_name, t) => {
    const binary = readFileSync(executablePath(t))
    expect(binaryFormat(binary.subarray(0, 4096))).toBe(`${FORMAT[t.os]}-${t.arch}`)
    // postject flips the SEA fuse and adds the blob, which holds the bundled code.
    expect(binary.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true)
    expect(binary.includes('netpol.kubectl.io/run-id')).toBe(true)
  })
})

describe('the macOS executables', () => {
  it.each(TARGETS.filter((t) => t.os === 'darwin').map((t) => [t.arch, t] as const))('darwin/%s is signed ad hoc over all of its code, the injected application included', (_arch, t) => {
    const r = spawnSync(join(TOOLS_BIN, 'rcodesign'), ['print-signature-info', executablePath(t)], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    // Ad hoc and without the hardened runtime, whose JIT entitlement Node's own signature carried.
    expect(r.stdout).toMatch(/flags: CodeSignatureFlags\(ADHOC\)$/m)
    expect(r.stdout).toMatch(/identifier: kubectl-netpol$/m)
    const signed = Number(/signed_entity_size: (\d+)/.exec(r.stdout)?.[1])
    const signatureStart = Number(/macho_signature_start_offset: (\d+)/.exec(r.stdout)?.[1])
    expect(signed).toBeGreaterThan(0)
    expect(signed).toBe(signatureStart)
  })
})
