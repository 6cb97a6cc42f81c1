// Loading kubeconfig the way kubectl does.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { ClusterError } from '../model/errors.js'

export interface KubeOptions {
  kubeconfig?: string
  context?: string
  /** Seconds; 0 or undefined means no client-side limit. */
  requestTimeout?: number
}

/**
 * --kubeconfig, else every file in $KUBECONFIG merged with the first file winning for any name and
 * for current-context, else ~/.kube/config. Unlike client-node's default, a missing configuration
 * is an error rather than a silent localhost:8080.
 */
export function loadKubeConfig(options: KubeOptions): KubeConfig {
  const files = kubeconfigFiles(options.kubeconfig)
  if (files.length === 0) {
    throw new ClusterError('no cluster configured: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config')
  }
  const merged = new KubeConfig()
  let currentContext = ''
  for (const file of files) {
    const one = readKubeConfig(file)
    mergeFirstWins(merged, one)
    currentContext ||= one.getCurrentContext()
  }
  const wanted = options.context ?? currentContext
  if (!wanted) throw new ClusterError(`no current context in ${files.join(', ')}: pass --context`)
  if (!merged.getContextObject(wanted)) {
    throw new ClusterError(`context "${wanted}" not found in ${files.join(', ')} (known: ${merged.getContexts().map((c) => c.name).join(', ') || 'none'})`)
  }
  merged.setCurrentContext(wanted)
  return withPlainHttp(merged)
}

/**
 * kubectl talks plain HTTP to an `http://` server (e.g. `kubectl proxy`); client-node refuses to
 * unless skipTLSVerify is set, which means nothing without TLS. Setting it is how to get kubectl's
 * behaviour.
 */
function withPlainHttp(config: KubeConfig): KubeConfig {
  if (!config.getClusters().some((c) => c.server.startsWith('http:'))) return config
  const plain = new KubeConfig()
  plain.loadFromOptions({
    clusters: config.getClusters().map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext(),
  })
  return plain
}

function readKubeConfig(file: string): KubeConfig {
  const config = new KubeConfig()
  try {
    config.loadFromFile(file)
  } catch (error) {
    throw new ClusterError(`cannot read kubeconfig ${file}: ${(error as Error).message}`)
  }
  return config
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

function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
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
