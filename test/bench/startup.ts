// npm run bench:startup (after npm run package): size and start-up time of the single-file
// executables next to `node bin/run.js`. Start-up is part of every `kubectl netpol` call (goal
// ≤ 150 ms). Prints figures; asserts nothing about speed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject, nodeBinary, PORTABLE_BLOB } from '../../scripts/package/build.js'
import { archiveName, executablePath, hostTarget, NODE_VERSION, OUT, ROOT, TARGETS } from '../../scripts/package/targets.js'

const RUNS = 11
const COMMANDS = [['version'], ['predict', '--help']]

function medianMs(command: string, args: string[]): number {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    times.push(performance.now() - t0)
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

function main(): void {
  const host = hostTarget()
  if (!host) throw new Error(`no executable for ${process.platform}/${process.arch}`)
  const bin = join(ROOT, 'bin/run.js')
  // The same executable without V8's code cache, to show what the cache buys.
  const uncached = inject(host, nodeBinary(host), PORTABLE_BLOB, join(mkdtempSync(join(tmpdir(), 'netpol-bench-')), 'kubectl-netpol'))
  const rows: [string, string, string[]][] = [
    [`node ${process.version} bin/run.js`, process.execPath, [bin]],
    [`node v${NODE_VERSION} bin/run.js`, nodeBinary(host), [bin]],
    [`executable ${host.os}/${host.arch}`, executablePath(host), []],
    ['  same, without code cache', uncached, []],
  ]
  console.log(`start-up, median of ${RUNS} runs (goal ≤ 150 ms)`)
  console.log(`${''.padEnd(30)}${COMMANDS.map((c) => c.join(' ').padStart(16)).join('')}`)
  for (const [name, command, prefix] of rows) {
    console.log(`${name.padEnd(30)}${COMMANDS.map((c) => `${medianMs(command, [...prefix, ...c]).toFixed(0)} ms`.padStart(16)).join('')}`)
  }
  console.log('\nsizes')
  for (const t of TARGETS) {
    console.log(`${`${t.os}/${t.arch}`.padEnd(16)}executable ${mib(statSync(executablePath(t)).size).padStart(10)}   archive ${mib(statSync(join(OUT, archiveName(t))).size).padStart(9)}`)
  }
}

main()
