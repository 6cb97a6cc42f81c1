// Flags shared by several commands, spelled as kubectl users expect.
import { Flags } from '@oclif/core'
import { clusterClient } from '../kube/lazy.js'
import type { SnapshotSource } from '../snapshot/source.js'
import type { QueryOptions } from '../workflows/predict.js'
import { InputError } from '../model/errors.js'

export const kubeFlags = {
  kubeconfig: Flags.string({ description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).', helpGroup: 'CLUSTER' }),
  context: Flags.string({ description: 'The kubeconfig context to use.', helpGroup: 'CLUSTER' }),
  namespace: Flags.string({ char: 'n', description: 'Namespace in scope (repeatable; default: the context namespace).', multiple: true, multipleNonGreedy: true, helpGroup: 'CLUSTER' }),
  'all-namespaces': Flags.boolean({ char: 'A', description: 'All namespaces are in scope.', helpGroup: 'CLUSTER' }),
  selector: Flags.string({ char: 'l', description: 'Label selector for the pods in scope, e.g. app=web,tier!=db.', helpGroup: 'CLUSTER' }),
  'request-timeout': Flags.string({ description: 'Time to wait for one API request, e.g. 30s or 1m (0: no limit).', default: '0', helpGroup: 'CLUSTER' }),
}

export const fileFlag = {
  filename: Flags.string({ char: 'f', description: 'Manifest file or directory to read instead of the cluster (repeatable; - for stdin).', multiple: true, multipleNonGreedy: true }),
}

export const queryFlags = {
  port: Flags.string({ description: 'Port number or name to check (repeatable; default: the ports the destinations declare).', multiple: true, multipleNonGreedy: true }),
  protocol: Flags.string({ description: 'TCP, UDP or SCTP (default TCP when --port is given).' }),
  from: Flags.string({ description: 'Source: NAMESPACE/POD, NAMESPACE/* or an IP (repeatable).', multiple: true, multipleNonGreedy: true }),
  to: Flags.string({ description: 'Destination: NAMESPACE/POD, NAMESPACE/* or an IP (repeatable).', multiple: true, multipleNonGreedy: true }),
  external: Flags.string({ description: 'An address outside the cluster to include as source and destination (repeatable).', multiple: true, multipleNonGreedy: true }),
}

interface KubeFlagValues {
  kubeconfig?: string
  context?: string
  namespace?: string[]
  'all-namespaces': boolean
  selector?: string
  'request-timeout': string
}

export function snapshotSource(flags: KubeFlagValues & { filename?: string[] }): SnapshotSource {
  return {
    files: flags.filename ?? [],
    // The command's one client: it connects on its first request, so offline runs never do.
    client: clusterClient({ kubeconfig: flags.kubeconfig, context: flags.context, requestTimeout: parseDuration(flags['request-timeout'], '--request-timeout') }),
    scope: { namespaces: flags.namespace ?? [], allNamespaces: flags['all-namespaces'], labelSelector: flags.selector },
  }
}

interface QueryFlagValues extends KubeFlagValues {
  filename?: string[]
  from?: string[]
  to?: string[]
  port?: string[]
  protocol?: string
  external?: string[]
}

/** The options of a predict/explain/probe request, read from the shared flags. */
export function queryOptions(flags: QueryFlagValues): QueryOptions {
  return {
    source: snapshotSource(flags),
    from: flags.from ?? [],
    to: flags.to ?? [],
    ports: flags.port ?? [],
    protocol: flags.protocol,
    externals: flags.external ?? [],
  }
}

/** kubectl-style durations: `0`, `30`, `30s`, `2m`, `1h`, `1m30s`. Returns seconds. */
export function parseDuration(text: string, flag: string): number {
  if (/^\d+$/.test(text)) return Number(text)
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text)
  if (!match || text === '') throw new InputError(`invalid duration ${JSON.stringify(text)}: use e.g. 30s, 2m or 1h`, { field: flag })
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
}

export function terminalWidth(): number {
  return process.stdout.columns ?? 120
}
