import { Args } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { completionScript, SHELLS, type Shell } from '../cli/completion.js'

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script for kubectl-netpol (bash, zsh or fish).'
  static override description = `For \`kubectl netpol <TAB>\`, put the kubectl_complete-netpol executable (installed next to kubectl-netpol) on your PATH: kubectl asks it. This script completes the kubectl-netpol command itself.`
  static override examples = [
    'source <(kubectl netpol completion bash)',
    'kubectl netpol completion zsh > "${fpath[1]}/_kubectl-netpol"',
    'kubectl netpol completion fish | source',
  ]

  static override args = { shell: Args.string({ description: 'The shell.', options: [...SHELLS], required: true }) }

  async run(): Promise<void> {
    const { args } = await this.parse(Completion)
    process.stdout.write(completionScript(args.shell as Shell, this.config.bin))
  }
}
