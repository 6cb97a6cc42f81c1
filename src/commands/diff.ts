import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { externalAddressFlag, fileFlag, kubeFlags, queryFlags, requestOf, snapshotSource, terminalWidth } from '../cli/flags.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { ExitCode } from '../model/errors.js'
import { renderDiff, type DiffFormat } from '../report/diff.js'
import type { DiffReport } from '../report/model.js'
import { parseObjectRef } from '../snapshot/change.js'
import { diff } from '../workflows/diff.js'

export default class Diff extends BaseCommand {
  static override summary = 'Show the connections a policy change gains and loses, before it is applied.'
  static override description = 'Evaluates the connections in scope before (the live cluster, or -f files) and after the change (--apply files, --delete objects, or --after a second set of files), and lists what is gained and lost, grouped by workload, with the rule responsible. Nothing is created or changed in the cluster. With --fail-on, exit 1 is a CI gate.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> diff -A --apply new-policy.yaml --fail-on lost',
    '<%= config.bin %> diff -n shop --delete networkpolicy/shop/allow-web -o markdown',
    '<%= config.bin %> diff -f main/manifests --after pr/manifests -o json',
  ]

  static override flags = {
    ...fileFlag,
    ...kubeFlags,
    ...queryFlags,
    ...externalAddressFlag,
    apply: Flags.string({ description: 'File or directory of policies to apply on top of "before" (repeatable).', multiple: true, multipleNonGreedy: true }),
    delete: Flags.custom<ReturnType<typeof parseObjectRef>>({
      description: 'Policy to delete: networkpolicy/NAMESPACE/NAME, adminnetworkpolicy/NAME or baselineadminnetworkpolicy/default (repeatable).',
      multiple: true, multipleNonGreedy: true,
      parse: async (text) => parseObjectRef(text, '--delete'),
    })(),
    after: Flags.string({ description: 'Files whose policies replace every policy of "before" (repeatable).', multiple: true, multipleNonGreedy: true }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'json', 'markdown'], default: 'table' }),
    'fail-on': Flags.string({ description: 'Exit 1 when the change loses connections, gains them, or either.', options: ['lost', 'gained', 'any'] }),
  }

  async run(): Promise<DiffReport> {
    const { flags } = await this.parse(Diff)
    const report = await diff({
      source: snapshotSource(flags), request: requestOf(flags), externals: flags.external ?? [],
      apply: flags.apply ?? [], delete: flags.delete ?? [], after: flags.after ?? [],
    })
    printDiagnostics(report)
    if (!this.jsonEnabled()) process.stdout.write(renderDiff(report, flags.output as DiffFormat, terminalWidth()))
    process.exitCode = failsGate(report, flags['fail-on']) ? ExitCode.disagreement : ExitCode.ok
    return report
  }
}

function failsGate(report: DiffReport, failOn: string | undefined): boolean {
  const { gained, lost } = report.summary
  return (failOn === 'lost' && lost > 0) || (failOn === 'gained' && gained > 0) || (failOn === 'any' && gained + lost > 0)
}
