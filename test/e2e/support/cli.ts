// Runs the built kubectl-netpol binary against the test cluster, as a user would.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { kubeconfigPath } from './cluster.js'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'run.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliRun {
  child: ChildProcess
  done: Promise<CliResult>
}

/** Starts the CLI with the test cluster's kubeconfig (unless the args name another one). */
export function startCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  const withConfig = args.some((a) => a.startsWith('--kubeconfig')) ? args : [...args, '--kubeconfig', kubeconfigPath()]
  const child = spawn(process.execPath, [BIN, ...withConfig], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => { stdout += d })
  child.stderr!.on('data', (d) => { stderr += d })
  const done = new Promise<CliResult>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, done }
}

export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return startCli(args, options).done
}
