// Flags shared by several commands, spelled as kubectl users expect. Each input notion has one
// parser, run by oclif as the flag is read (`Flags.custom`), so a bad value is a one-line error
// naming the flag before anything else happens.
import { Flags } from '@oclif/core'
import type { Request } from '../evaluate/request.js'
import {
  parseEndpointPattern, parseExternalAddress, parseExternalTarget, parseLabelSelector, parsePort, parseProtocol,
} from '../evaluate/scope.js'
import { clusterClient } from '../kube/lazy.js'
import { InputError } from '../model/errors.js'
import { DEFAULT_IMAGE } from '../probe/spec.js'
import { ENFORCERS, type Enforcer } from '../reconcile/deviations.js'
import type { SnapshotSource } from '../snapshot/source.js'

/** kubectl-style durations: `0`, `30`, `30s`, `2m`, `1h`, `1m30s`. Returns seconds. */
export function parseDuration(text: string, flag: string): number {
  if (/^\d+$/.test(text)) return Number(text)
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text)
  if (!match || text === '') throw new InputError(`invalid duration ${JSON.stringify(text)}: use e.g. 30s, 2m or 1h`, { field: flag })
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
}

/** A duration flag, in seconds. */
export function duration(options: { description: string; default: string; helpGroup?: string }) {
  return Flags.custom<number>({
    description: options.description,
    helpGroup: options.helpGroup,
    default: async () => parseDuration(options.default, ''),
    defaultHelp: async () => options.default,
    parse: async (text, _ctx, flag) => parseDuration(text, `--${flag.name}`),
  })()
}

const repeatable = { multiple: true, multipleNonGreedy: true } as const

export const kubeFlags = {
  kubeconfig: Flags.string({ description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).', helpGroup: 'CLUSTER' }),
  context: Flags.string({ description: 'The kubeconfig context to use.', helpGroup: 'CLUSTER' }),
  namespace: Flags.string({ char: 'n', description: 'Namespace in scope (repeatable; default: the context namespace).', ...repeatable, helpGroup: 'CLUSTER' }),
  'all-namespaces': Flags.boolean({ char: 'A', description: 'All namespaces are in scope.', helpGroup: 'CLUSTER' }),
  selector: Flags.custom<string>({
    char: 'l', description: 'Label selector for the pods in scope, e.g. app=web,tier!=db.', helpGroup: 'CLUSTER',
    parse: async (text) => { parseLabelSelector(text); return text },
  })(),
  'request-timeout': duration({ description: 'Time to wait for one API request, e.g. 30s or 1m (0: no limit).', default: '0', helpGroup: 'CLUSTER' }),
}

/** The flags of commands that talk to one cluster but choose no namespaces. */
export const clusterFlags = {
  kubeconfig: kubeFlags.kubeconfig,
  context: kubeFlags.context,
  'request-timeout': kubeFlags['request-timeout'],
}

export const fileFlag = {
  filename: Flags.string({ char: 'f', description: 'Manifest file or directory to read instead of the cluster (repeatable; - for stdin).', ...repeatable }),
}

const endpointFlag = (description: string) => Flags.custom<ReturnType<typeof parseEndpointPattern>>({
  description, ...repeatable, parse: async (text, _ctx, flag) => parseEndpointPattern(text, `--${flag.name}`),
})()

export const queryFlags = {
  port: Flags.custom<number | string>({
    description: 'Port number or name to check (repeatable; default: each destination on the ports it declares).', ...repeatable,
    parse: async (text) => parsePort(text),
  })(),
  protocol: Flags.custom<ReturnType<typeof parseProtocol>>({
    description: 'TCP, UDP or SCTP (default TCP when --port is given; without --port, only the declared ports of this protocol).',
    parse: async (text) => parseProtocol(text),
  })(),
  from: endpointFlag('Source: NAMESPACE/POD, NAMESPACE/WORKLOAD, KIND/WORKLOAD (e.g. deploy/web), NAMESPACE/* or an IP (repeatable).'),
  to: endpointFlag('Destination: NAMESPACE/POD, NAMESPACE/WORKLOAD, KIND/WORKLOAD (e.g. deploy/web), NAMESPACE/* or an IP (repeatable).'),
}

/** predict's and explain's --external: an address. */
export const externalAddressFlag = {
  external: Flags.custom<string>({
    description: 'An address outside the cluster to include as source and destination (repeatable).', ...repeatable,
    parse: async (text) => parseExternalAddress(text),
  })(),
}

/** probe's --external: an address with a port. */
export const externalTargetFlag = {
  external: Flags.custom<ReturnType<typeof parseExternalTarget>>({
    description: 'Also check egress to IP:PORT[/PROTOCOL] outside the cluster (repeatable).', ...repeatable,
    parse: async (text) => parseExternalTarget(text),
  })(),
}

/** How probe, scenario run and drill check measure: the probe image and the timing of a run. */
export const probeRunFlags = {
  image: imageFlag('Probe image (needs perl with its core modules).'),
  timeout: duration({ description: 'Time one connection attempt may take.', default: '2s' }),
  'start-timeout': duration({ description: 'Time a probe (or server) pod may take to start.', default: '90s' }),
  settle: duration({ description: 'Keep re-probing disagreements and unconfirmed timeouts this long before reporting them (policies apply eventually).', default: '10s' }),
  parallelism: Flags.integer({ description: 'Checks one probe container runs at once, at most (the run adapts it to the load).', default: 32, min: 1, max: 256 }),
  'max-probe-pods': Flags.integer({ description: 'Probe pods at once; sources take turns (default: half the free pod slots of the schedulable nodes, at most 20).', min: 1 }),
}

/** The commands that report measured disagreements: a known deviation of the named enforcer is named as such. */
export const enforcerHintFlag = {
  'enforcer-hint': Flags.string({ description: 'The NetworkPolicy enforcer the cluster runs; disagreements it is known to cause are then named in the report.', options: [...ENFORCERS] }),
}

export function enforcerHint(flags: { 'enforcer-hint'?: string }): Enforcer | undefined {
  return flags['enforcer-hint'] as Enforcer | undefined
}

export function imageFlag(description: string) {
  return Flags.string({ description, default: DEFAULT_IMAGE })
}

export function probeRunOptions(flags: { image: string; timeout: number; 'start-timeout': number; settle: number; parallelism: number; 'max-probe-pods'?: number }) {
  return {
    image: flags.image,
    checkTimeout: Math.max(1, flags.timeout),
    startTimeout: flags['start-timeout'],
    settle: flags.settle,
    parallelism: flags.parallelism,
    maxProbePods: flags['max-probe-pods'],
  }
}

/** The cluster flags every drill command that touches the cluster takes. */
export function drillClusterFlags() {
  return {
    ...clusterFlags,
    'start-timeout': duration({ description: 'Time pods may take to become Ready, and namespaces to go away.', default: '120s' }),
  }
}

export function drillClusterOptions(flags: { kubeconfig?: string; context?: string; 'request-timeout': number; 'start-timeout': number }) {
  return { client: snapshotSource(flags).client, startTimeout: flags['start-timeout'] }
}

interface KubeFlagValues {
  kubeconfig?: string
  context?: string
  namespace?: string[]
  'all-namespaces'?: boolean
  selector?: string
  'request-timeout': number
}

export function snapshotSource(flags: KubeFlagValues & { filename?: string[] }): SnapshotSource {
  return {
    files: flags.filename ?? [],
    // The command's one client: it connects on its first request, so offline runs never do.
    client: clusterClient({ kubeconfig: flags.kubeconfig, context: flags.context, requestTimeout: flags['request-timeout'] }),
    scope: { namespaces: flags.namespace ?? [], allNamespaces: flags['all-namespaces'] ?? false, labelSelector: flags.selector },
  }
}

/** The request of predict, explain and probe, from the shared flags. */
export function requestOf(flags: Partial<Record<'from' | 'to', Request['from']>> & { port?: Request['ports']; protocol?: Request['protocol'] }): Request {
  return { from: flags.from ?? [], to: flags.to ?? [], ports: flags.port ?? [], protocol: flags.protocol }
}

/** The terminal's width; when stdout is not a terminal, $COLUMNS, else 80 (as kubectl assumes). */
export function terminalWidth(): number {
  const columns = Number(process.env.COLUMNS)
  return process.stdout.columns || (Number.isInteger(columns) && columns > 0 ? columns : 80)
}
