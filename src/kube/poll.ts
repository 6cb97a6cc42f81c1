// The one way the product waits for the cluster: poll at a fixed pace until a deadline. A
// transient API failure during a poll is one failed look, not the end of the wait.
import { ClusterError } from '../model/errors.js'
import { TransientClusterError } from './errors.js'

export const POLL_MS = 500

export type PollOutcome<T> = { done: true; value: T } | { done: false; lastError?: Error }

/** Calls `attempt` every POLL_MS until it returns a value or `timeoutSeconds` pass. */
export async function poll<T>(timeoutSeconds: number, attempt: () => Promise<T | undefined>): Promise<PollOutcome<T>> {
  const deadline = Date.now() + timeoutSeconds * 1000
  let lastError: Error | undefined
  for (;;) {
    try {
      const value = await attempt()
      if (value !== undefined) return { done: true, value }
      lastError = undefined
    } catch (error) {
      if (!(error instanceof TransientClusterError)) throw error
      lastError = error
    }
    if (Date.now() > deadline) return { done: false, lastError }
    await sleep(POLL_MS)
  }
}

/** Like `poll`, but running out of time is an error naming what was awaited. */
export async function pollUntil<T>(timeoutSeconds: number, what: string | (() => string), attempt: () => Promise<T | undefined>): Promise<T> {
  const outcome = await poll(timeoutSeconds, attempt)
  if (outcome.done) return outcome.value
  const waitedFor = typeof what === 'string' ? what : what()
  throw new ClusterError(`timed out after ${timeoutSeconds}s waiting for ${waitedFor}${outcome.lastError ? ` (last error: ${outcome.lastError.message})` : ''}`)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
