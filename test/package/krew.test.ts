// The krew manifest of `npm run package`: krew's own validator installs every platform from it,
// and `kubectl krew install --archive` puts a plugin on PATH that kubectl dispatches to.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import packageJson from '../../package.json' with { type: 'json' }
import { archiveName, MANIFEST, OUT, TARGETS } from '../../scripts/package/targets.js'
import { HOST, runBare, TOOLS_BIN } from './support.js'

interface Platform { selector: { matchLabels: { os: string; arch: string } }; uri: string; sha256: string; bin: string }
const manifest = parse(readFileSync(MANIFEST, 'utf8')) as { metadata: { name: string }; spec: { version: string; platforms: Platform[] } }
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('the krew manifest', () => {
  it('names plugin netpol at the package version and lists one platform per archive with its sha256', () => {
    expect(manifest.metadata.name).toBe('netpol')
    expect(manifest.spec.version).toBe(`v${packageJson.version}`)
    expect(manifest.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`))
      .toEqual(TARGETS.map((t) => `${t.os}/${t.arch}`))
    for (const [i, t] of TARGETS.entries()) {
      const p = manifest.spec.platforms[i]
      expect(basename(p.uri)).toBe(archiveName(t))
      expect(p.sha256).toBe(sha256(join(OUT, archiveName(t))))
    }
  })

  describe('validate-krew-manifest, served the archives from 127.0.0.1', () => {
    let server: Server
    let dir: string
    beforeAll(async () => {
      server = createServer((req, res) => {
        const name = basename(decodeURIComponent(req.url ?? ''))
        if (!TARGETS.some((t) => archiveName(t) === name)) return void res.writeHead(404).end()
        res.writeHead(200).end(readFileSync(join(OUT, name)))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as { port: number }
      dir = mkdtempSync(join(tmpdir(), 'netpol-krew-validate-'))
      const local = structuredClone(manifest)
      for (const p of local.spec.platforms) p.uri = `http://127.0.0.1:${port}/${basename(p.uri)}`
      writeFileSync(join(dir, 'netpol.yaml'), stringify(local))
    })
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it('installs every platform and finds LICENSE among the installed files', async () => {
      // Asynchronous, so that this process's HTTP server answers the installs.
      const { stderr } = await promisify(execFile)(join(TOOLS_BIN, 'validate-krew-manifest'), ['-manifest', join(dir, 'netpol.yaml')], {
        env: { PATH: TOOLS_BIN, HOME: dir },
        timeout: 110_000,
      })
      expect(stderr).toContain(`all ${TARGETS.length} spec.platforms installed fine`)
    })
  })

  it(`kubectl krew install --archive, then kubectl netpol runs through kubectl's plugin dispatch without node`, () => {
    const krewRoot = mkdtempSync(join(tmpdir(), 'netpol-krew-root-'))
    const env = { KREW_ROOT: krewRoot, HOME: krewRoot, PATH: `${join(krewRoot, 'bin')}:${TOOLS_BIN}` }
    const install = runBare('kubectl', ['krew', 'install', `--manifest=${MANIFEST}`, `--archive=${join(OUT, archiveName(HOST))}`], env, '')
    expect(install.stderr).toContain('Installed plugin: netpol')
    expect(install.code).toBe(0)
    const version = runBare('kubectl', ['netpol', 'version'], env)
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^kubectl-netpol ${packageJson.version} \\(node v`)) })
    const drills = runBare('kubectl', ['netpol', 'drill', 'list', '--json'], env)
    expect(drills.code).toBe(0)
    expect(JSON.parse(drills.stdout).drills.length).toBeGreaterThan(0)
    // kubectl's plugin completion, once kubectl_complete-netpol is linked onto PATH as the README says.
    symlinkSync(join(krewRoot, 'store/netpol', `v${packageJson.version}`, 'kubectl_complete-netpol'), join(krewRoot, 'bin/kubectl_complete-netpol'))
    const completion = runBare('kubectl', ['__complete', 'netpol', 'drill', 'st'], { ...env, KUBECONFIG: '/dev/null' })
    expect(completion.stdout).toContain('start\tBuild a drill')
  })
})
