// npm run bench: the predicted matrix of a 5,000-pod, 500-namespace, 2,000-policy cluster.
// Prints figures; asserts nothing about speed.
import { classify } from '../../src/evaluate/classes.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { classMatrix, type PortQuery } from '../../src/evaluate/matrix.js'
import { syntheticCluster } from './synthetic.js'

const QUERIES: PortQuery[] = [{ port: 8080, protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]

function main(): void {
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

main()
