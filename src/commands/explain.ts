import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { externalAddressFlag, fileFlag, kubeFlags, queryFlags, requestOf, snapshotSource } from '../cli/flags.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { ExitCode } from '../model/errors.js'
import { renderExplain, type ExplainFormat } from '../report/explain.js'
import type { ExplainReport } from '../report/model.js'
import { explainConnections } from '../workflows/predict.js'

export default class Explain extends BaseCommand {
  static override summary = 'Explain why NetworkPolicy allows or denies one connection.'
  static override description = 'Shows the source\'s egress side, the destination\'s ingress side, the policies that select each, the deciding rule quoted as YAML, and the answer.'
  static override enableJsonFlag = true
  static override examples = [
    'kubectl netpol explain -f manifests/ --from shop/web-7d9f --to payments/api-0 --port 8080',
    'kubectl netpol explain --from x/a --to 198.19.250.7 --port 443',
  ]

  static override flags = {
    ...fileFlag,
    ...kubeFlags,
    ...queryFlags,
    ...externalAddressFlag,
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['text', 'json', 'yaml'], default: 'text' }),
    strict: Flags.boolean({ description: 'Exit 1 when a lint warning is found.' }),
  }

  async run(): Promise<ExplainReport> {
    const { flags } = await this.parse(Explain)
    const report = await explainConnections({ source: snapshotSource(flags), request: requestOf(flags), externals: flags.external ?? [] })
    printDiagnostics(report)
    if (!this.jsonEnabled()) process.stdout.write(renderExplain(report, flags.output as ExplainFormat))
    process.exitCode = flags.strict && report.warnings.length > 0 ? ExitCode.disagreement : ExitCode.ok
    return report
  }
}
