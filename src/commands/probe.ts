import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { measuredExitCode } from '../cli/exit.js'
import {
  enforcerHint, enforcerHintFlag, externalTargetFlag, kubeFlags, probeRunFlags, probeRunOptions, queryFlags, requestOf, snapshotSource,
} from '../cli/flags.js'
import { cleanupOnSignals } from '../cli/interrupt.js'
import { probeProgress } from '../cli/probe-progress.js'
import { quietProgress, withProgress } from '../cli/progress.js'
import { InputError } from '../model/errors.js'
import { PROBE_TARGETS, type ProbeTargetKind } from '../plan/stand-ins.js'
import { renderJunit, renderProbe, type ProbeFormat } from '../report/probe.js'
import { renderExpectations, withExpectationsJunit } from '../scenario/render.js'
import type { ProbeReport } from '../report/model.js'
import { probe } from '../workflows/probe.js'

export default class Probe extends BaseCommand {
  static override summary = 'Predict, measure on the real CNI, and report where NetworkPolicy enforcement disagrees.'
  static override description = `Reads pods, namespaces, NetworkPolicies and Services, predicts every connection, then measures it from a short-lived probe pod that carries the source's namespace, labels and service account (one per equivalence class), and reports disagreements: under-enforced (predicted denied, went through: a security finding), over-enforced (predicted allowed, blocked), unknown (could not be measured).
Exit codes: 0 all agree, 1 a disagreement, 2 bad input or cluster/permission problem, 3 unknown checks but no disagreement.`
  static override enableJsonFlag = true
  static override examples = [
    'kubectl netpol probe -n shop',
    'kubectl netpol probe -A --port 80 --port 443 -o json',
    'kubectl netpol probe -n shop --from shop/web-0 --external 198.19.250.7:443 --junit probe.xml',
    'kubectl netpol probe -n shop --service --matrix',
  ]

  static override flags = {
    ...kubeFlags,
    ...queryFlags,
    ...externalTargetFlag,
    'all-pods': Flags.boolean({ description: 'Probe from and to every pod instead of one per equivalence class.' }),
    service: Flags.boolean({ description: 'Dial the Services in front of the destinations (by DNS name) instead of pod IPs.' }),
    mode: Flags.string({ description: 'pod: a short-lived probe pod per source; ephemeral: an ephemeral container in each source pod (stays in its spec forever).', options: ['pod', 'ephemeral'], default: 'pod' }),
    target: Flags.string({
      description: 'What to dial. stand-ins: a pod per destination class with its labels and ports that listens on all of them, so every observation is the policy (default with --mode pod, when they all fit in the probe-pod window beside the probe pods; otherwise the real pods, said in a note); pods: the real destination pods (default with --mode ephemeral); both: each check to both, reporting where the application differs from its stand-in.',
      options: [...PROBE_TARGETS],
    }),
    ...probeRunFlags,
    matrix: Flags.boolean({ description: 'Print the expected, observed and comparison truth tables.' }),
    explain: Flags.boolean({ description: 'Print the full reasoning of each finding under its line (as -o wide does).' }),
    junit: Flags.string({ description: 'Write a JUnit XML report to this file.' }),
    ...enforcerHintFlag,
    expect: Flags.string({ description: 'Also assert the expectations in this YAML file (e.g. "shop/* -> shop/app=db:5432 deny"); exit 1 on a violation.' }),
    'expect-diff': Flags.string({ description: 'Also assert that the change a `diff -o json` report predicted happened: its gained connections allowed, its lost ones denied; exit 1 otherwise.' }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'wide', 'json', 'yaml'], default: 'table' }),
  }

  async run(): Promise<ProbeReport> {
    const { flags } = await this.parse(Probe)
    if (flags.mode === 'ephemeral') process.stderr.write('warning: ephemeral containers stay in the pod spec until the pod is deleted; each run adds one (named netpol-probe-<run id>) to every source pod\n')
    const target = targetOf(flags.mode, flags.target)
    const signals = cleanupOnSignals()
    const quiet = quietProgress(this.jsonEnabled() || flags.output === 'json' || flags.output === 'yaml')
    try {
      const report = await withProgress('Probing NetworkPolicy enforcement', (update) => probe({
        source: snapshotSource(flags),
        request: requestOf(flags),
        externals: flags.external ?? [],
        service: flags.service,
        allPods: flags['all-pods'],
        mode: flags.mode as 'pod' | 'ephemeral',
        target,
        targetByDefault: flags.target === undefined,
        ...probeRunOptions(flags),
        onEvent: probeProgress(update),
        onCleanup: signals.register,
        expectFile: flags.expect,
        expectDiffFile: flags['expect-diff'],
        enforcer: enforcerHint(flags),
      }), quiet)
      printDiagnostics(report)
      if (flags.junit) writeFileSync(flags.junit, withExpectationsJunit(renderJunit(report), report.expectations))
      if (!this.jsonEnabled()) process.stdout.write(renderProbe(report, flags.output as ProbeFormat, flags.matrix, flags.explain) + renderExpectations(report.expectations, flags.output as ProbeFormat))
      process.exitCode = probeExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

/** Stand-ins are pods of the run, which the ephemeral mode does not create. */
function targetOf(mode: string, target: string | undefined): ProbeTargetKind {
  if (target === undefined) return mode === 'ephemeral' ? 'pods' : 'stand-ins'
  if (mode === 'ephemeral' && target !== 'pods') throw new InputError(`--target ${target} needs --mode pod (stand-ins are pods the run creates)`, { field: '--target' })
  return target as ProbeTargetKind
}

function probeExitCode(report: ProbeReport): number {
  const { underEnforced, overEnforced, unknown } = report.summary
  return measuredExitCode((report.expectations?.summary.violated ?? 0) + underEnforced + overEnforced, unknown)
}
