// diff: the snapshot before (cluster or files), the change applied to it, the connections gained and
// lost. No rendering here.
import { diffConnections } from '../evaluate/diff.js'
import { createEvaluator } from '../evaluate/evaluate.js'
import type { Endpoint } from '../evaluate/endpoint.js'
import { lint, lintScopeOf } from '../evaluate/lint.js'
import { resolveRequest, type Request } from '../evaluate/request.js'
import { requirePorts, uncheckedNote } from '../evaluate/scope.js'
import { InputError } from '../model/errors.js'
import { diffRow, type DiffReport } from '../report/model.js'
import { applyChange, describeRef, type ObjectRef, type PolicyChange } from '../snapshot/change.js'
import { loadSnapshotFromFiles } from '../snapshot/files.js'
import { loadSnapshot, type SnapshotSource } from '../snapshot/source.js'

export interface DiffOptions {
  source: SnapshotSource
  request: Request
  externals: string[]
  /** Files whose policies are applied on top of "before". */
  apply: string[]
  delete: ObjectRef[]
  /** Files whose policies replace every policy of "before" (a second set of files). */
  after: string[]
}

export async function diff(options: DiffOptions): Promise<DiffReport> {
  const { source, request } = options
  const change = await readChange(options)
  const { snapshot } = await loadSnapshot(source)
  const afterSnapshot = applyChange(snapshot, change)
  const { scope, files } = source
  const inNamespaces = (e: Endpoint) => e.kind === 'external' || files.length === 0 || scope.allNamespaces || scope.namespaces.length === 0 || scope.namespaces.includes(e.pod.namespace)
  const { evaluator: before, sources, destinations, ports } = resolveRequest(snapshot, request, { externals: options.externals, labelSelector: scope.labelSelector, includes: inNamespaces })
  const after = createEvaluator({ ...afterSnapshot, externals: before.endpoints.flatMap((e) => (e.kind === 'external' ? [e.key] : [])) })
  requirePorts(ports, request.protocol)
  const result = diffConnections(before, after, { sources, destinations, queries: ports.queries, checks: ports.checks })
  const rows = result.changes.map(diffRow)
  return {
    before: files.length > 0 ? files.join(', ') : 'cluster',
    change: describeChange(options),
    rows,
    summary: {
      gained: rows.filter((r) => r.change === 'gained').length,
      lost: rows.filter((r) => r.change === 'lost').length,
      classes: result.classes,
      evaluatedPairs: result.evaluatedPairs,
    },
    warnings: lint(after, lintScopeOf(afterSnapshot)),
    notes: [...snapshot.notes, ...uncheckedNote(ports, request.protocol)],
  }
}

async function readChange(options: DiffOptions): Promise<PolicyChange> {
  if (options.after.length > 0) {
    if (options.apply.length > 0 || options.delete.length > 0) throw new InputError('--after replaces every policy: it cannot be combined with --apply or --delete', { field: '--after' })
    return { kind: 'replace', after: await loadSnapshotFromFiles(options.after) }
  }
  if (options.apply.length === 0 && options.delete.length === 0) throw new InputError('no change given: use --apply FILE, --delete KIND/NAME or --after FILES', { field: '--apply' })
  return { kind: 'edit', apply: await Promise.all(options.apply.map((file) => loadSnapshotFromFiles([file]))), delete: options.delete }
}

function describeChange(options: DiffOptions): string[] {
  return [
    ...options.apply.map((file) => `apply ${file}`),
    ...options.delete.map((ref) => `delete ${describeRef(ref)}`),
    ...(options.after.length > 0 ? [`after ${options.after.join(', ')}`] : []),
  ]
}
