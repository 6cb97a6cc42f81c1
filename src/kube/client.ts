// The one module that talks to @kubernetes/client-node. Everything else receives plain data or
// the narrow KubeClient interface below.
import { existsSync } from 'node:fs'
import { Writable } from 'node:stream'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
// Not re-exported by the package index; the package has no exports map, so the deep path is stable.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { ClusterError } from '../model/errors.js'

export interface KubeOptions {
  kubeconfig?: string
  context?: string
  /** Seconds; 0 or undefined means no client-side limit. */
  requestTimeout?: number
}

export interface KubeClient {
  config: k8s.KubeConfig
  contextName: string
  server: string
  /** The namespace of the current context (kubectl's default for namespaced commands). */
  defaultNamespace: string
  core: k8s.CoreV1Api
  networking: k8s.NetworkingV1Api
  discovery: k8s.DiscoveryV1Api
  authorization: k8s.AuthorizationV1Api
  /** Runs an API call with the request timeout and turns transport/API failures into ClusterError. */
  call<T>(what: string, request: () => Promise<T>): Promise<T>
  /** Runs a command in a container and collects its output. Never throws for a non-zero exit. */
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecResult>
  createPod(namespace: string, pod: object): Promise<ObjectRef>
  createConfigMap(namespace: string, configMap: object): Promise<ObjectRef>
  /** Pods as wire JSON (metadata, spec, status). */
  listPods(namespace: string | undefined, labelSelector: string): Promise<WirePod[]>
  /** Deletes the labelled pods (no grace period) and ConfigMaps of one namespace. */
  deleteLabelled(namespace: string, labelSelector: string): Promise<void>
  /** Namespaced objects carrying the label, across all namespaces. */
  findLabelled(labelSelector: string): Promise<Array<ObjectRef & { kind: 'Pod' | 'ConfigMap'; labels: Record<string, string> }>>
  addEphemeralContainer(namespace: string, pod: string, container: object): Promise<void>
  /** Creates an object from its wire-JSON manifest (any kind client-node knows, e.g. Namespace, Pod, NetworkPolicy). */
  createObject(manifest: WireObject): Promise<void>
  /** Replaces an existing object with the manifest (an unconditional update). */
  replaceObject(manifest: WireObject): Promise<void>
  /** Deletes an object in the background; one that does not exist is fine. */
  deleteObject(ref: WireObject): Promise<void>
  /** Merge-patches an object's labels; a null value removes that label. */
  patchLabels(ref: WireObject, labels: Record<string, string | null>): Promise<void>
  objectExists(ref: WireObject): Promise<boolean>
  /** An object's labels and whether it is being deleted; undefined when it does not exist. */
  readMetadata(ref: WireObject): Promise<{ labels: Record<string, string>; deleting: boolean } | undefined>
  /** SelfSubjectAccessReview: may the current user do this? */
  canI(attributes: { verb: string; resource: string; subresource?: string; group?: string; namespace?: string }): Promise<boolean>
}

/** A manifest or a reference to one: apiVersion, kind, metadata.name and (for namespaced kinds) metadata.namespace. */
export interface WireObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  [field: string]: unknown
}

export interface ObjectRef {
  namespace: string
  name: string
  uid: string
}

/** The fields of a pod the probe reads, in wire form. */
export interface WirePod {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> }
  spec?: { nodeName?: string }
  status?: {
    phase?: string
    podIP?: string
    reason?: string
    message?: string
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>
    containerStatuses?: ContainerStatus[]
    ephemeralContainerStatuses?: ContainerStatus[]
  }
}

export interface ContainerStatus {
  name: string
  state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } }
}

export interface ExecResult {
  stdout: string
  stderr: string
  /** undefined when the command did not finish (timeout, connection lost). */
  exitCode?: number
  error?: string
}

export function connect(options: KubeOptions = {}): KubeClient {
  const config = loadKubeConfig(options)
  const context = config.getContextObject(config.getCurrentContext())
  const cluster = config.getCurrentCluster()
  if (!cluster) throw new ClusterError(`context "${config.getCurrentContext()}" names no cluster`)
  return {
    config,
    contextName: config.getCurrentContext(),
    server: cluster.server,
    defaultNamespace: context?.namespace ?? 'default',
    core: config.makeApiClient(k8s.CoreV1Api),
    networking: config.makeApiClient(k8s.NetworkingV1Api),
    discovery: config.makeApiClient(k8s.DiscoveryV1Api),
    authorization: config.makeApiClient(k8s.AuthorizationV1Api),
    call: (what, request) => callApi(what, request, cluster.server, options.requestTimeout),
    exec: (namespace, pod, container, command, timeoutMs) => execIn(config, namespace, pod, container, command, timeoutMs),
    ...resourceOperations(config, (what, request) => callApi(what, request, cluster.server, options.requestTimeout)),
  }
}

type Caller = <T>(what: string, request: () => Promise<T>) => Promise<T>

function resourceOperations(config: k8s.KubeConfig, call: Caller) {
  const core = config.makeApiClient(k8s.CoreV1Api)
  const authorization = config.makeApiClient(k8s.AuthorizationV1Api)
  const objects = k8s.KubernetesObjectApi.makeApiClient(config)
  const describeRef = (o: WireObject) => `${o.kind.toLowerCase()} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`
  const ignoreNotFound = (error: unknown) => { if ((error as { status?: number }).status !== 404) throw error }
  const ref = (o: { metadata?: { namespace?: string; name?: string; uid?: string } }): ObjectRef =>
    ({ namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' })
  return {
    createPod: async (namespace: string, pod: object) =>
      ref(await call(`create pod in ${namespace}`, () => core.createNamespacedPod({ namespace, body: pod as k8s.V1Pod }))),
    createConfigMap: async (namespace: string, configMap: object) =>
      ref(await call(`create configmap in ${namespace}`, () => core.createNamespacedConfigMap({ namespace, body: configMap as k8s.V1ConfigMap }))),
    listPods: async (namespace: string | undefined, labelSelector: string) => {
      const list = await call('list pods', () => namespace
        ? core.listNamespacedPod({ namespace, labelSelector })
        : core.listPodForAllNamespaces({ labelSelector }))
      return list.items.map((pod) => toWireJson(pod, 'V1Pod') as WirePod)
    },
    deleteLabelled: async (namespace: string, labelSelector: string) => {
      await call(`delete probe pods in ${namespace}`, () => core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 }))
      await call(`delete run objects in ${namespace}`, () => core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector, propagationPolicy: 'Background' }))
    },
    findLabelled: async (labelSelector: string) => {
      const [pods, configMaps] = await Promise.all([
        call('list pods', () => core.listPodForAllNamespaces({ labelSelector })),
        call('list configmaps', () => core.listConfigMapForAllNamespaces({ labelSelector })),
      ])
      return [
        ...pods.items.map((o) => ({ ...ref(o), kind: 'Pod' as const, labels: o.metadata?.labels ?? {} })),
        ...configMaps.items.map((o) => ({ ...ref(o), kind: 'ConfigMap' as const, labels: o.metadata?.labels ?? {} })),
      ]
    },
    addEphemeralContainer: async (namespace: string, name: string, container: object) => {
      await call(`add ephemeral container to ${namespace}/${name}`, () => core.patchNamespacedPodEphemeralcontainers(
        { namespace, name, body: { spec: { ephemeralContainers: [container] } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ))
    },
    createObject: async (manifest: WireObject) => {
      await call(`create ${describeRef(manifest)}`, () => objects.create(typed(manifest)))
    },
    replaceObject: async (manifest: WireObject) => {
      await call(`replace ${describeRef(manifest)}`, () => objects.replace(typed(manifest)))
    },
    deleteObject: async (object: WireObject) => {
      await call(`delete ${describeRef(object)}`, () => objects.delete(typed(object), undefined, undefined, 0, undefined, 'Background')).catch(ignoreNotFound)
    },
    patchLabels: async (object: WireObject, labels: Record<string, string | null>) => {
      const patch = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace, labels } }
      await call(`label ${describeRef(object)}`, () => objects.patch(patch as k8s.KubernetesObject, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch))
    },
    objectExists: async (object: WireObject) => {
      try {
        await call(`read ${describeRef(object)}`, () => objects.read(typed(object) as Parameters<typeof objects.read>[0]))
        return true
      } catch (error) {
        ignoreNotFound(error)
        return false
      }
    },
    readMetadata: async (object: WireObject) => {
      try {
        const found = await call(`read ${describeRef(object)}`, () => objects.read(typed(object) as Parameters<typeof objects.read>[0]))
        return { labels: found.metadata?.labels ?? {}, deleting: Boolean(found.metadata?.deletionTimestamp) }
      } catch (error) {
        ignoreNotFound(error)
        return undefined
      }
    },
    canI: async (attributes: { verb: string; resource: string; subresource?: string; group?: string; namespace?: string }) => {
      const review = await call('check permissions', () => authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: attributes } } as k8s.V1SelfSubjectAccessReview,
      }))
      return review.status?.allowed === true
    },
  }
}

/** client-node rejects a refused WebSocket upgrade with an ErrorEvent whose message holds the HTTP status. */
function execFailure(namespace: string, pod: string, error: unknown): string {
  const message = (error as { message?: string }).message ?? String(error)
  const status = /Unexpected server response: (\d+)/.exec(message)?.[1]
  if (status === '403') return `exec into ${namespace}/${pod} was forbidden (403): the user needs get and create on pods/exec`
  return `exec into ${namespace}/${pod} failed: ${message}`
}

function execIn(config: k8s.KubeConfig, namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    const sink = (append: (text: string) => void) => new Writable({ write(chunk, _enc, done) { append(chunk.toString()); done() } })
    let settled = false
    const finish = (result: Partial<ExecResult>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ stdout, stderr, ...result })
    }
    const timer = setTimeout(() => finish({ error: `exec did not finish within ${Math.round(timeoutMs / 1000)}s` }), timeoutMs)
    new k8s.Exec(config).exec(namespace, pod, container, command, sink((t) => { stdout += t }), sink((t) => { stderr += t }), null, false, (status) => {
      const exitCause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
      finish({ exitCode: status.status === 'Success' ? 0 : exitCause ? Number(exitCause.message) : undefined, error: status.status === 'Success' || exitCause ? undefined : status.message })
    }).then((socket) => {
      socket.on('close', () => setTimeout(() => finish({ error: 'the exec connection closed without a status' }), 50))
      socket.on('error', (error: Error) => finish({ error: error.message }))
    }, (error: unknown) => finish({ error: execFailure(namespace, pod, error) }))
  })
}

/**
 * Loads kubeconfig the way kubectl does: --kubeconfig, else every file in $KUBECONFIG merged with
 * the first file winning for any name and for current-context, else ~/.kube/config. Unlike
 * client-node's default, a missing configuration is an error rather than a silent localhost:8080.
 */
export function loadKubeConfig(options: KubeOptions): k8s.KubeConfig {
  const files = kubeconfigFiles(options.kubeconfig)
  if (files.length === 0) {
    throw new ClusterError('no cluster configured: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config')
  }
  const merged = new k8s.KubeConfig()
  let currentContext = ''
  for (const file of files) {
    const one = new k8s.KubeConfig()
    try {
      one.loadFromFile(file)
    } catch (error) {
      throw new ClusterError(`cannot read kubeconfig ${file}: ${(error as Error).message}`)
    }
    mergeFirstWins(merged, one)
    currentContext ||= one.getCurrentContext()
  }
  const wanted = options.context ?? currentContext
  if (!wanted) throw new ClusterError(`no current context in ${files.join(', ')}: pass --context`)
  if (!merged.getContextObject(wanted)) {
    throw new ClusterError(`context "${wanted}" not found in ${files.join(', ')} (known: ${merged.getContexts().map((c) => c.name).join(', ') || 'none'})`)
  }
  merged.setCurrentContext(wanted)
  return merged
}

function kubeconfigFiles(flag?: string): string[] {
  if (flag) {
    if (!existsSync(flag)) throw new ClusterError(`--kubeconfig: file not found: ${flag}`)
    return [flag]
  }
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (fromEnv.length > 0) return fromEnv.filter((f) => existsSync(f))
  const home = join(homedir(), '.kube', 'config')
  return existsSync(home) ? [home] : []
}

function mergeFirstWins(into: k8s.KubeConfig, from: k8s.KubeConfig): void {
  const clusters = from.getClusters().filter((c) => !into.getCluster(c.name))
  const users = from.getUsers().filter((u) => !into.getUser(u.name))
  const contexts = from.getContexts().filter((c) => !into.getContextObject(c.name))
  into.loadFromOptions({
    clusters: [...into.getClusters(), ...clusters],
    users: [...into.getUsers(), ...users],
    contexts: [...into.getContexts(), ...contexts],
    currentContext: into.getCurrentContext(),
  })
}

async function callApi<T>(what: string, request: () => Promise<T>, server: string, timeoutSeconds?: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    if (timeoutSeconds) timer = setTimeout(() => reject(new ClusterError(`${what}: no answer from ${server} within --request-timeout ${timeoutSeconds}s`)), timeoutSeconds * 1000)
  })
  try {
    return await Promise.race([request(), timeout])
  } catch (error) {
    throw describeApiError(what, error, server)
  } finally {
    clearTimeout(timer)
  }
}

/** HTTP status of a failed API call, when the server answered. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'number' ? code : undefined
}

function describeApiError(what: string, error: unknown, server: string): Error {
  if (error instanceof ClusterError) return error
  const status = apiStatus(error)
  if (status === 401) return new ClusterError(`${what}: the cluster at ${server} rejected our credentials (401 Unauthorized)`)
  if (status === 403) return new ClusterError(`${what}: permission denied (403): ${serverMessage(error)}`)
  if (status !== undefined) {
    const wrapped = new ClusterError(`${what}: ${serverMessage(error)} (HTTP ${status})`)
    return Object.assign(wrapped, { status })
  }
  const cause = (error as { code?: string; cause?: { code?: string } })
  const code = cause.cause?.code ?? cause.code
  if (code === 'ECONNREFUSED') return new ClusterError(`${what}: cannot reach the cluster at ${server}: connection refused`)
  if (code === 'ENOTFOUND') return new ClusterError(`${what}: cannot resolve the cluster address ${server}`)
  return error instanceof Error ? error : new Error(String(error))
}

function serverMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body
    if (parsed && typeof parsed === 'object' && 'message' in parsed) return String((parsed as { message: unknown }).message)
  } catch { /* not JSON: fall through */ }
  return (error as Error).message ?? String(error)
}

/**
 * A wire-JSON manifest as the typed object KubernetesObjectApi serialises back to wire JSON;
 * passing the manifest as is would lose renamed fields (NetworkPolicy `from` is `_from` in client-node).
 */
function typed(manifest: WireObject): k8s.KubernetesObject {
  const version = manifest.apiVersion.split('/').pop()!
  const type = `${version[0].toUpperCase()}${version.slice(1)}${manifest.kind}`
  return ObjectSerializer.deserialize(manifest, type, '') as k8s.KubernetesObject
}

/** The wire JSON of a typed client-node object (client-node renames some fields, e.g. `from` → `_from`). */
export function toWireJson(item: object, type: string): object {
  return ObjectSerializer.serialize(item, type, '') as object
}
