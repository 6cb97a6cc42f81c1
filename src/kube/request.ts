// Sending one API request: aborted when it runs past --request-timeout, resent with bounded
// backoff when it failed transiently, and its failure translated into a ClusterError.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestContext, ResponseContext } from '@kubernetes/client-node'
import { describeApiError, RequestTimedOut, TransientClusterError } from './errors.js'
import { sleep } from './poll.js'

export interface RequestPolicy {
  /** Seconds one attempt may take; 0 or undefined means no limit. */
  timeoutSeconds?: number
  /** Resends after a transient failure. */
  retries: number
  /** Wait before the first resend; doubled for each further one. */
  backoffMs: number
}

export const DEFAULT_RETRIES = 3
export const DEFAULT_BACKOFF_MS = 250

export type Send = <T>(what: string, request: () => Promise<T>, options?: { idempotent?: boolean }) => Promise<T>

// client-node builds each request inside the promise chain that `request()` starts, so the signal
// of the attempt reaches the middleware through the async context.
const attemptSignal = new AsyncLocalStorage<AbortSignal>()

/** Middleware for every API client: gives the HTTP request the abort signal of its attempt. */
export const abortMiddleware = {
  pre: async (context: RequestContext) => {
    const signal = attemptSignal.getStore()
    if (signal) context.setSignal(signal)
    return context
  },
  post: async (context: ResponseContext) => context,
}

/**
 * A non-idempotent request (a create, replace or patch) is resent only when the server cannot have
 * acted on it, so a retry never creates a second probe pod.
 */
export function requester(server: string, policy: RequestPolicy): Send {
  return async (what, request, { idempotent = true } = {}) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await attemptOnce(request, policy.timeoutSeconds)
      } catch (error) {
        const failure = describeApiError(what, error, server, policy.timeoutSeconds)
        const retryable = failure instanceof TransientClusterError && (idempotent || failure.notProcessed)
        if (!retryable || attempt >= policy.retries) throw failure
        await sleep(policy.backoffMs * 2 ** attempt)
      }
    }
  }
}

async function attemptOnce<T>(request: () => Promise<T>, timeoutSeconds?: number): Promise<T> {
  if (!timeoutSeconds) return request()
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutSeconds * 1000)
  try {
    return await attemptSignal.run(controller.signal, request)
  } catch (error) {
    throw controller.signal.aborted ? new RequestTimedOut() : error
  } finally {
    clearTimeout(timer)
  }
}
