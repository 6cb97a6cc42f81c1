// API and transport failures as errors a user can act on, and which of them are worth retrying.
import { ClusterError } from '../model/errors.js'

/** A failure that may pass if the request is sent again (connection refused or reset, 429, 5xx, a timeout). */
export class TransientClusterError extends ClusterError {
  /** The server cannot have acted on the request (refused connection, 429, 503): safe to resend even a create. */
  readonly notProcessed: boolean
  constructor(message: string, notProcessed: boolean) {
    super(message)
    this.notProcessed = notProcessed
  }
}

/** Thrown by an attempt that was aborted because it ran past --request-timeout. */
export class RequestTimedOut extends Error {}

/** HTTP status of a failed API call, when the server answered. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'number' ? code : undefined
}

const NOT_PROCESSED_STATUSES = [429, 503]
const TRANSIENT_STATUSES = [...NOT_PROCESSED_STATUSES, 500, 502, 504]
const RESET_CODES = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']

export function describeApiError(what: string, error: unknown, server: string, timeoutSeconds?: number): Error {
  if (error instanceof ClusterError) return error
  if (error instanceof RequestTimedOut) return new TransientClusterError(`${what}: no answer from ${server} within --request-timeout ${timeoutSeconds}s`, false)
  const status = apiStatus(error)
  if (status !== undefined) return withStatus(statusError(what, error, server, status), status)
  const cause = error as { code?: string; cause?: { code?: string } }
  const code = cause.cause?.code ?? cause.code
  if (code === 'ECONNREFUSED') return new TransientClusterError(`${what}: cannot reach the cluster at ${server}: connection refused`, true)
  if (code === 'ENOTFOUND') return new ClusterError(`${what}: cannot resolve the cluster address ${server}`)
  if (code && RESET_CODES.includes(code)) return new TransientClusterError(`${what}: the connection to ${server} failed (${code})`, false)
  if (isFetchFailure(error)) return new ClusterError(`${what}: cannot reach the cluster at ${server}: ${error.cause?.message ?? error.message}`)
  return error instanceof Error ? error : new Error(String(error))
}

/** undici's fetch rejects with a TypeError whose cause says why (e.g. "bad port" for ports fetch refuses to dial). */
function isFetchFailure(error: unknown): error is TypeError & { cause?: Error } {
  return error instanceof TypeError && error.message === 'fetch failed'
}

function statusError(what: string, error: unknown, server: string, status: number): ClusterError {
  if (status === 401) return new ClusterError(`${what}: the cluster at ${server} rejected our credentials (401 Unauthorized)`)
  if (status === 403) return new ClusterError(`${what}: permission denied (403): ${serverMessage(error)}`)
  const message = `${what}: ${serverMessage(error)} (HTTP ${status})`
  return TRANSIENT_STATUSES.includes(status) ? new TransientClusterError(message, NOT_PROCESSED_STATUSES.includes(status)) : new ClusterError(message)
}

function withStatus(error: ClusterError, status: number): ClusterError {
  return Object.assign(error, { status })
}

/** The status of a translated error, e.g. 404 for an object that does not exist. */
export function statusOf(error: unknown): number | undefined {
  return (error as { status?: number }).status
}

/** The Status message, else a plain-text body (e.g. "Client sent an HTTP request to an HTTPS server."), else the first line of the client's message. */
function serverMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body
  const parsed = typeof body === 'string' ? parseJson(body) : body
  if (parsed && typeof parsed === 'object' && 'message' in parsed) return String((parsed as { message: unknown }).message)
  if (typeof parsed === 'string' && parsed.trim() !== '') return parsed.trim().split('\n')[0]
  return ((error as Error).message ?? String(error)).split('\n')[0]
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
