// Runs a kubectl-netpol command inside the test process, as `bin/run.js` would: the built commands
// (dist/, which `npm test` builds first), stdout and stderr captured, the exit code the command set.
// Environment variables apply for the one run. A few tests keep spawning the binary (see spawned.test.ts).
import { captureOutput } from '@oclif/test'
import { Config, run } from '@oclif/core'
import { join } from 'node:path'
import { format } from 'node:util'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

const ROOT = join(import.meta.dirname, '../..')
/** A user's environment: with vitest's NODE_ENV=test, oclif would add development-only warnings. */
const USER_NODE_ENV = 'production'
let config: Promise<Config> | undefined

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  config ??= Config.load({ root: ROOT })
  const loaded = await config
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  Object.assign(process.env, env)
  process.exitCode = undefined
  try {
    const { error, stdout, stderr } = await captureOutput(() => withConsoleOnStreams(() => run(args, loaded)), { stripAnsi: false, testNodeEnv: USER_NODE_ENV })
    // Commands report through exit codes, not exceptions; an exception reaching here is a test bug.
    if (error && !('oclif' in error)) throw error
    return { code: Number(process.exitCode ?? (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit ?? 0), stdout, stderr }
  } finally {
    process.exitCode = undefined
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** oclif prints --json through console.log, which vitest intercepts: send it to the (captured) streams. */
async function withConsoleOnStreams<T>(work: () => Promise<T>): Promise<T> {
  const { log, error } = console
  console.log = (...values: unknown[]) => { process.stdout.write(`${format(...values)}\n`) }
  console.error = (...values: unknown[]) => { process.stderr.write(`${format(...values)}\n`) }
  try {
    return await work()
  } finally {
    console.log = log
    console.error = error
  }
}
