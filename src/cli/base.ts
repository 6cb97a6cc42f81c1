// What every command shares: --debug, one-line errors with distinct exit codes, and the exit code
// set from the report rather than by throwing (so --json still prints the report).
import { Command, Flags } from '@oclif/core'
import { ExitCode } from '../model/errors.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show stack traces and internal details on errors.', helpGroup: 'GLOBAL' }),
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    // this.exit() in oclif throws an ExitError: let it through untouched.
    if (error.oclif?.exit !== undefined && error.name === 'ExitError') throw error
    if (error.exitCode === ExitCode.ok) {
      if (!(error as { shown?: boolean }).shown) process.stderr.write(`${error.message}\n`)
      process.exitCode = ExitCode.ok
      return
    }
    const usage = error.oclif?.exit === 2 || /Nonexistent flag|Unexpected argument|Expected --|Missing required flag|Missing \d+ required arg|Expected a|requires a value|cannot also be provided/.test(error.message)
    const code = error.exitCode ?? (usage ? ExitCode.usage : ExitCode.internal)
    // oclif wraps what a flag's parser threw as "Parsing --flag\n\t<message>\nSee more help with --help".
    const message = missingArgs(error.message.replace(/^Parsing --\S+ *\n\t/, ''))
    const firstLine = message.split('\n')[0].replace(/^Error: /, '')
    process.stderr.write(`error: ${firstLine}${usage && !error.exitCode ? ` (see \`kubectl netpol ${this.id?.replace(/:/g, ' ') ?? ''} --help\`)` : ''}\n`)
    if (this.argv.includes('--debug')) process.stderr.write(`${error.stack ?? ''}\n`)
    else if (code === ExitCode.internal) process.stderr.write('this is a bug in kubectl-netpol; run again with --debug for details\n')
    process.exitCode = code
  }
}

/** oclif lists missing arguments on the lines after "Missing N required arg:": name them on the one line we print. */
function missingArgs(message: string): string {
  const match = /^Missing \d+ required args?:\n((?:\S+ .*\n?)+)/.exec(message)
  if (!match) return message
  const names = match[1].trim().split('\n').filter((line) => !line.startsWith('See more help')).map((line) => line.split(/\s+/)[0].toUpperCase())
  return `missing required argument${names.length > 1 ? 's' : ''} ${names.join(', ')}`
}
