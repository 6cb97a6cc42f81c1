import { BaseCommand } from '../../cli/base.js'
import { terminalWidth } from '../../cli/flags.js'
import { renderList } from '../../drill/render.js'
import type { DrillSummary } from '../../drill/report.js'
import { listDrills } from '../../workflows/drill.js'

export default class DrillList extends BaseCommand {
  static override summary = 'List the NetworkPolicy drills (CKA/CKS practice), easiest first.'
  static override enableJsonFlag = true
  static override examples = ['kubectl netpol drill list']

  async run(): Promise<{ drills: DrillSummary[] }> {
    await this.parse(DrillList)
    const report = await listDrills()
    if (!this.jsonEnabled()) process.stdout.write(renderList(report.drills, terminalWidth()))
    return report
  }
}
