import { BaseCommand } from '../cli/base.js'

export interface VersionReport {
  version: string
  node: string
  platform: string
}

export default class Version extends BaseCommand {
  static override summary = 'Print the plugin version, the Node.js version it runs on and the platform.'
  static override enableJsonFlag = true

  async run(): Promise<VersionReport> {
    await this.parse(Version)
    const report = { version: this.config.version, node: process.version, platform: `${process.platform}/${process.arch}` }
    if (!this.jsonEnabled()) process.stdout.write(`kubectl-netpol ${report.version} (node ${report.node}, ${report.platform})\n`)
    return report
  }
}
