// npm run bench: the predicted matrix of a 5,000-pod, 500-namespace, 2,000-policy cluster in
// process (the class matrix alone), then the real command on the same shape of cluster written
// to a file: `predict -f world.json -o json` and the default table at 1,000, 2,000 and 5,000
// pods, each timed with its peak memory (the command's own process). Prints figures; asserts
// nothing about speed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { classify } from '../../src/evaluate/classes.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { classMatrix, type PortQuery } from '../../src/evaluate/matrix.js'
import { syntheticCluster, syntheticManifests } from './synthetic.js'

const QUERIES: PortQuery[] = [{ port: 8080, protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]
const BIN = join(import.meta.dirname, '../../bin/run.js')
/** Pods in the command runs, and the goals of issue 12 for the JSON run (seconds, MiB). */
const COMMAND_RUNS: Array<{ pods: number; goal?: { seconds: number; mib: number } }> = [
  { pods: 1000 }, { pods: 2000, goal: { seconds: 5, mib: 500 } }, { pods: 5000, goal: { seconds: 20, mib: 1024 } },
]

function classMatrixBench(): void {
  const snapshot = syntheticCluster(500, 10, 4)
  const started = performance.now()
  const evaluator = createEvaluator(snapshot)
  const classes = classify(evaluator.endpoints, evaluator.policies)
  const classified = performance.now()
  const lines: string[] = []
  for (const query of QUERIES) {
    const t0 = performance.now()
    const matrix = classMatrix(evaluator, classes, query)
    let allowedPodPairs = 0
    for (const from of classes) for (const to of classes) if (matrix.allowed(from, to)) allowedPodPairs += from.members.length * to.members.length
    lines.push(`  ${query.protocol}/${query.port}: ${(performance.now() - t0).toFixed(0)} ms, ${allowedPodPairs.toLocaleString('en')} of ${(snapshot.pods.length ** 2).toLocaleString('en')} pod pairs allowed`)
  }
  const total = performance.now() - started
  const perQuery = (total - (classified - started)) / QUERIES.length
  console.log(`predict bench: ${snapshot.pods.length} pods, ${snapshot.namespaces.length} namespaces, ${snapshot.policies.length} policies`)
  console.log(`  equivalence classes: ${classes.length} (${(classes.length ** 2).toLocaleString('en')} class pairs instead of ${(snapshot.pods.length ** 2).toLocaleString('en')} pod pairs)`)
  console.log(`  compile + classify: ${(classified - started).toFixed(0)} ms`)
  console.log(lines.join('\n'))
  console.log(`  full matrix, one port: ${(classified - started + perQuery).toFixed(0)} ms (goal ≤ 2000 ms); all ${QUERIES.length} ports: ${total.toFixed(0)} ms`)
  console.log(`  peak memory (max RSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`)
}

/** Wall time and peak RSS of one command run (GNU time measures it), its output read through a pipe and counted. */
function timeCommand(args: string[], dir: string): { seconds: number; mib: number; outputMiB: number } {
  const timing = join(dir, 'time.txt')
  const command = `/usr/bin/time -f '%e %M %x' -o ${timing} ${[process.execPath, BIN, ...args].join(' ')} 2>/dev/null | wc -c`
  const r = spawnSync('bash', ['-c', command], { env: { ...process.env, COLUMNS: '80' } })
  const [seconds, kib, status] = readFileSync(timing, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number)
  if (status !== 0) throw new Error(`predict ${args.join(' ')} exited ${status}`)
  return { seconds, mib: kib / 1024, outputMiB: Number(r.stdout.toString().trim()) / 2 ** 20 }
}

function commandBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-bench-'))
  try {
    console.log('\ncommand bench: kubectl netpol predict -f world.json (each destination on its declared ports, the grouped matrix, output piped to wc)')
    for (const { pods, goal } of COMMAND_RUNS) {
      const snapshot = syntheticCluster(pods / 10, 10, 4)
      const file = join(dir, `world-${pods}.json`)
      writeFileSync(file, JSON.stringify(syntheticManifests(snapshot)))
      const json = timeCommand(['predict', '-f', file, '-o', 'json'], dir)
      const table = timeCommand(['predict', '-f', file], dir)
      const verdict = goal ? `  (goal ≤ ${goal.seconds} s / ≤ ${goal.mib} MiB: ${json.seconds <= goal.seconds && json.mib <= goal.mib ? 'met' : 'NOT met'})` : ''
      const run = (r: typeof json) => `${r.seconds.toFixed(1)} s, ${r.mib.toFixed(0)} MiB RSS, ${r.outputMiB.toFixed(0)} MiB out`
      console.log(`  ${pods} pods: -o json ${run(json)}; default table ${run(table)}${verdict}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

classMatrixBench()
commandBench()
