// npm run bench:probe-scale (needs the test cluster): `kubectl netpol probe` through the real
// command on the world of issue 9 at 10, 30 and 50 namespaces (web TCP 80 + api TCP 8080, one
// replica each, an ingress policy on api: 2N sources, (2N)² checks). Prints per size: wall time,
// checks/s, false disagreements, unknowns, peak probe pods, peak RSS of the plugin. Asserts nothing
// about speed. The world grows from one size to the next and is deleted at the end (--keep leaves
// it for the next run).
//   --sizes 10,30,50   world sizes in namespaces
//   --keep             do not delete the world afterwards
//   -- ARGS            extra probe flags, e.g. -- --max-probe-pods 10
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { enforcerMode, kubeClients } from '../e2e/support/cluster.js'
import { startCli } from '../e2e/support/cli.js'
import { watchProbePods } from '../e2e/support/probe-pods.js'
import { deleteScaleWorld, ensureScaleWorld } from '../e2e/support/scale-world.js'

interface Row {
  from: string
  to: string
  predicted: string
  observed: string
  verdict: string
  attempts: number
  note?: string
  detail?: string
}

const { values, positionals } = parseArgs({
  options: { sizes: { type: 'string', default: '10,30,50' }, keep: { type: 'boolean', default: false } },
  allowPositionals: true,
})

/** What the world really allows: everything to web; api only from web of its own namespace. */
function reallyAllowed(row: Row): boolean {
  const [fromNs, fromPod] = row.from.split('/')
  const [toNs, toPod] = row.to.split('/')
  return !toPod.startsWith('api') || (fromPod.startsWith('web') && fromNs === toNs)
}

function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/**
 * The node's neighbour-table counters (this bench runs on the test cluster's node): allocations the
 * kernel refused because the table was full, summed over CPUs. Undefined where unreadable.
 */
function neighbourTableFulls(): number | undefined {
  try {
    const [header, ...cpus] = readFileSync('/proc/net/stat/arp_cache', 'utf8').trim().split('\n').map((line) => line.trim().split(/\s+/))
    const column = header.indexOf('table_fulls')
    return column < 0 ? undefined : cpus.reduce((sum, cpu) => sum + parseInt(cpu[column], 16), 0)
  } catch {
    return undefined
  }
}

async function measure(namespaces: string[]): Promise<void> {
  const fullsBefore = neighbourTableFulls()
  const pods = await watchProbePods()
  const started = performance.now()
  const run = startCli(['probe', ...namespaces.flatMap((n) => ['-n', n]), '-o', 'json', ...positionals], { timeoutMs: 1_800_000 })
  let rss = 0
  const sampler = setInterval(() => { rss = Math.max(rss, peakRss(run.child.pid!)) }, 200)
  const result = await run.done
  clearInterval(sampler)
  const wallS = (performance.now() - started) / 1000
  const peak = pods.stop()
  let report: { summary: { checks: number; agree: number; overEnforced: number; underEnforced: number; unknown: number }; results: Row[] }
  try {
    report = JSON.parse(result.stdout)
  } catch {
    console.log(`  ${namespaces.length} ns: the probe printed no report (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`)
    return
  }
  const s = report.summary
  const measured = report.results.filter((r) => r.observed === 'allowed' || r.observed === 'blocked')
  const wrong = measured.filter((r) => (r.observed === 'allowed') !== reallyAllowed(r))
  const mispredicted = report.results.filter((r) => (r.predicted === 'allowed') !== reallyAllowed(r))
  console.log(`  ${namespaces.length} ns (${namespaces.length * 2} pods): ${s.checks} checks in ${wallS.toFixed(1)} s = ${(s.checks / wallS).toFixed(0)} checks/s, exit ${result.code}`)
  console.log(`    agree ${s.agree}, false disagreements ${s.overEnforced + s.underEnforced} (over ${s.overEnforced}, under ${s.underEnforced}), unknown ${s.unknown}; observations contradicting the world ${wrong.length}, mispredictions ${mispredicted.length}`)
  console.log(`    peak probe pods ${peak.live} (${peak.present} counting those terminating), peak RSS ${(rss / 1048576).toFixed(0)} MiB`)
  const fullsAfter = neighbourTableFulls()
  if (fullsBefore !== undefined && fullsAfter !== undefined) console.log(`    node neighbour table: ${fullsAfter - fullsBefore} entries refused as the table was full (table_fulls) during the run`)
  const notes = new Map<string, number>()
  for (const r of report.results.filter((r) => r.verdict !== 'agree')) {
    const note = `${r.verdict}: ${r.observed}${r.note ? ` (${r.note.slice(0, 100)})` : ''}`
    notes.set(note, (notes.get(note) ?? 0) + 1)
  }
  for (const [note, count] of notes) console.log(`    ${count} × ${note}`)
  const kind = (r: Row) => `${r.from.split('/')[1].replace(/-.*/, '')}→${r.to.split('/')[1].replace(/-.*/, '')}${r.from.split('/')[0] === r.to.split('/')[0] ? ' (same namespace)' : ''}`
  const kinds = new Map<string, number>()
  for (const r of report.results.filter((r) => r.verdict !== 'agree')) kinds.set(kind(r), (kinds.get(kind(r)) ?? 0) + 1)
  if (kinds.size > 0) console.log(`    not agreeing, by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`)
  for (const r of report.results.filter((r) => r.verdict !== 'agree').slice(0, 3)) console.log(`    e.g. ${r.from} → ${r.to}: ${r.observed} after ${r.attempts} attempts (${r.detail ?? ''})`)
}

async function restarts(namespaces: string[]): Promise<number> {
  const lists = await Promise.all(namespaces.map((namespace) => kubeClients().core.listNamespacedPod({ namespace })))
  return lists.flatMap((l) => l.items).reduce((sum, p) => sum + (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0), 0)
}

async function main(): Promise<void> {
  const sizes = values.sizes!.split(',').map(Number).sort((a, b) => a - b)
  console.log(`probe scale bench: enforcer ${enforcerMode()}, sizes ${sizes.join(', ')} namespaces${positionals.length ? `, probe flags ${positionals.join(' ')}` : ''}`)
  try {
    for (const size of sizes) {
      const worldStarted = performance.now()
      const namespaces = await ensureScaleWorld(size)
      console.log(`  world of ${size} namespaces ready in ${((performance.now() - worldStarted) / 1000).toFixed(0)} s`)
      const restartsBefore = await restarts(namespaces)
      await measure(namespaces)
      const restarted = (await restarts(namespaces)) - restartsBefore
      if (restarted > 0) console.log(`    ${restarted} container restart(s) of the world's servers during the run`)
    }
  } finally {
    if (!values.keep) {
      await deleteScaleWorld()
      console.log('  world deleted')
    }
  }
}

await main()
