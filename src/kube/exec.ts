// Running a command in a container over the exec WebSocket and collecting its output.
import { Writable } from 'node:stream'
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node'
import type { ExecResult, ExecTarget } from './client.js'

export function execIn(config: KubeConfig, target: ExecTarget, command: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    let settled = false
    const finish = (result: Partial<ExecResult>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ stdout, stderr, ...result })
    }
    const timer = setTimeout(() => finish({ error: `exec did not finish within ${Math.round(timeoutMs / 1000)}s` }), timeoutMs)
    const { namespace, pod, container } = target
    new Exec(config).exec(namespace, pod, container, command, sink((t) => { stdout += t }), sink((t) => { stderr += t }), null, false, (status) => finish(exitOf(status)))
      .then((socket) => {
        socket.on('close', () => setTimeout(() => finish({ error: 'the exec connection closed without a status' }), 50))
        socket.on('error', (error: Error) => finish({ error: error.message }))
      }, (error: unknown) => finish({ error: execFailure(target, error) }))
  })
}

function sink(append: (text: string) => void): Writable {
  return new Writable({ write(chunk, _encoding, done) { append(chunk.toString()); done() } })
}

/** The exit code from the status the API server sends at the end of an exec. */
function exitOf(status: V1Status): Partial<ExecResult> {
  if (status.status === 'Success') return { exitCode: 0 }
  const exitCause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
  return exitCause ? { exitCode: Number(exitCause.message) } : { error: status.message }
}

/** client-node rejects a refused WebSocket upgrade with an ErrorEvent whose message holds the HTTP status. */
function execFailure({ namespace, pod }: ExecTarget, error: unknown): string {
  const message = (error as { message?: string }).message ?? String(error)
  const status = /Unexpected server response: (\d+)/.exec(message)?.[1]
  if (status === '403') return `exec into ${namespace}/${pod} was forbidden (403): the user needs get and create on pods/exec`
  return `exec into ${namespace}/${pod} failed: ${message}`
}
