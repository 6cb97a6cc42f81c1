import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { kubeFlags, parseDuration, queryFlags, queryOptions } from '../cli/flags.js'
import { cleanupOnSignals } from '../cli/interrupt.js'
import { probeProgress } from '../cli/probe-progress.js'
import { withProgress } from '../cli/progress.js'
import { ExitCode } from '../model/errors.js'
import { DEFAULT_IMAGE } from '../probe/spec.js'
import { ENFORCERS, type Enforcer } from '../reconcile/deviations.js'
import { renderJunit, renderProbe, type ProbeFormat } from '../report/probe.js'
import { renderExpectations, withExpectationsJunit } from '../scenario/render.js'
import { probe, type ProbeReport } from '../workflows/probe.js'

export default class Probe extends BaseCommand {
  static override summary = 'Predict, measure on the real CNI, and report where NetworkPolicy enforcement disagrees.'
  static override description = `Reads pods, namespaces, NetworkPolicies and Services, predicts every connection, then measures it from a short-lived probe pod that carries the source's namespace, labels and service account (one per equivalence class), and reports disagreements: under-enforced (predicted denied, went through: a security finding), over-enforced (predicted allowed, blocked), unknown (could not be measured).
Exit codes: 0 all agree, 1 a disagreement, 2 bad input or cluster/permission problem, 3 unknown checks but no disagreement.`
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> probe -n shop',
    '<%= config.bin %> probe -A --port 80 --port 443 -o json',
    '<%= config.bin %> probe -n shop --from shop/web-0 --external 198.19.250.7:443 --junit probe.xml',
    '<%= config.bin %> probe -n shop --service --matrix',
  ]

  static override flags = {
    ...kubeFlags,
    ...queryFlags,
    external: Flags.string({ description: 'Also check egress to IP:PORT[/PROTOCOL] outside the cluster (repeatable).', multiple: true, multipleNonGreedy: true }),
    'all-pods': Flags.boolean({ description: 'Probe from and to every pod instead of one per equivalence class.' }),
    service: Flags.boolean({ description: 'Dial the Services in front of the destinations (by DNS name) instead of pod IPs.' }),
    mode: Flags.string({ description: 'pod: a short-lived probe pod per source; ephemeral: an ephemeral container in each source pod (stays in its spec forever).', options: ['pod', 'ephemeral'], default: 'pod' }),
    image: Flags.string({ description: 'Probe image (needs bash, timeout, dig, socat).', default: DEFAULT_IMAGE }),
    timeout: Flags.string({ description: 'Time one connection attempt may take.', default: '2s' }),
    'start-timeout': Flags.string({ description: 'Time a probe container may take to start.', default: '90s' }),
    settle: Flags.string({ description: 'Keep re-probing disagreements this long before reporting them (policies apply eventually).', default: '10s' }),
    parallelism: Flags.integer({ description: 'Checks one probe container runs at once.', default: 32, min: 1, max: 256 }),
    matrix: Flags.boolean({ description: 'Print the expected, observed and comparison truth tables.' }),
    junit: Flags.string({ description: 'Write a JUnit XML report to this file.' }),
    'enforcer-hint': Flags.string({ description: 'The NetworkPolicy enforcer the cluster runs; disagreements it is known to cause are then named in the report.', options: [...ENFORCERS] }),
    expect: Flags.string({ description: 'Also assert the expectations in this YAML file (e.g. "shop/* -> shop/app=db:5432 deny"); exit 1 on a violation.' }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'wide', 'json', 'yaml'], default: 'table' }),
  }

  async run(): Promise<ProbeReport> {
    const { flags } = await this.parse(Probe)
    if (flags.mode === 'ephemeral') process.stderr.write('warning: ephemeral containers stay in the pod spec until the pod is deleted; each run adds one (named netpol-probe-<run id>) to every source pod\n')
    const signals = cleanupOnSignals()
    const quiet = this.jsonEnabled() || flags.output === 'json' || flags.output === 'yaml' ? !process.stderr.isTTY : false
    try {
      const report = await withProgress('Probing NetworkPolicy enforcement', (update) => probe({
        ...queryOptions(flags),
        service: flags.service,
        allPods: flags['all-pods'],
        mode: flags.mode as 'pod' | 'ephemeral',
        image: flags.image,
        checkTimeout: Math.max(1, parseDuration(flags.timeout, '--timeout')),
        startTimeout: parseDuration(flags['start-timeout'], '--start-timeout'),
        settle: parseDuration(flags.settle, '--settle'),
        parallelism: flags.parallelism,
        onEvent: probeProgress(update),
        onCleanup: signals.register,
        expectFile: flags.expect,
        enforcer: flags['enforcer-hint'] as Enforcer | undefined,
      }), quiet)
      printDiagnostics(report)
      if (flags.junit) writeFileSync(flags.junit, withExpectationsJunit(renderJunit(report), report.expectations))
      if (!this.jsonEnabled()) process.stdout.write(renderProbe(report, flags.output as ProbeFormat, flags.matrix) + renderExpectations(report.expectations, flags.output as ProbeFormat))
      process.exitCode = probeExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

export function probeExitCode(report: ProbeReport): number {
  if ((report.expectations?.summary.violated ?? 0) > 0) return ExitCode.disagreement
  if (report.summary.underEnforced + report.summary.overEnforced > 0) return ExitCode.disagreement
  return report.summary.unknown > 0 ? ExitCode.unknown : ExitCode.ok
}
