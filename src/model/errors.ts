// Errors a user can act on. They carry where the problem is and the exit code the CLI should use;
// the CLI prints them as one line (a stack trace only with --debug).

export const ExitCode = {
  ok: 0,
  disagreement: 1,
  usage: 2,
  unknown: 3,
  /** A bug: anything not foreseen. */
  internal: 70,
} as const

export interface InputLocation {
  file?: string
  /** 0-based index of the document inside a multi-document file. */
  document?: number
  /** Dotted field path, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  field?: string
}

export class InputError extends Error {
  readonly exitCode = ExitCode.usage
  constructor(message: string, readonly location: InputLocation = {}) {
    super(formatLocated(message, location))
    this.name = 'InputError'
  }
}

/** The cluster could not be reached, or refused us. Same exit code as bad input: the run never started. */
export class ClusterError extends Error {
  readonly exitCode = ExitCode.usage
  constructor(message: string) {
    super(message)
    this.name = 'ClusterError'
  }
}

/** Nothing in scope to work on: kubectl's "No resources found", exit 0. */
export class NothingFound extends Error {
  readonly exitCode = ExitCode.ok
  /** Already printed (by the progress display). */
  shown = false
  constructor(message: string) {
    super(message)
    this.name = 'NothingFound'
  }
}

/** kubectl's words for an empty scope. */
export function noResourcesFound(namespaces: string[] | undefined): string {
  if (!namespaces || namespaces.length === 0) return 'No resources found.'
  return namespaces.length === 1 ? `No resources found in ${namespaces[0]} namespace.` : `No resources found in namespaces ${namespaces.join(', ')}.`
}

export function formatLocated(message: string, { file, document, field }: InputLocation): string {
  const where = [file, document === undefined ? undefined : `document ${document}`, field].filter(Boolean).join(', ')
  return where ? `${where}: ${message}` : message
}
