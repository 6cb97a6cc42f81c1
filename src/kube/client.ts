// The one module that talks to @kubernetes/client-node. Everything else receives plain data or
// the narrow KubeClient interface below.
import { existsSync } from 'node:fs'
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
  }
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

/** The wire JSON of a typed client-node object (client-node renames some fields, e.g. `from` → `_from`). */
export function toWireJson(item: object, type: string): object {
  return ObjectSerializer.serialize(item, type, '') as object
}
