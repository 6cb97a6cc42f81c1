// The client a command creates once and passes down: it reads kubeconfig and loads
// @kubernetes/client-node (a large import offline runs never need) on its first request.
import type { KubeClient } from './client.js'
import type { KubeOptions } from './config.js'

const METHODS = [
  'defaultNamespace', 'listObjects', 'createObject', 'replaceObject', 'deleteObject', 'patchLabels', 'readMetadata',
  'findLabelled', 'deleteLabelled', 'listPods', 'addEphemeralContainer', 'exec', 'canI',
] as const satisfies ReadonlyArray<keyof KubeClient>

// Fails to compile when KubeClient gains a method METHODS does not list.
const everyMethod: Record<Exclude<keyof KubeClient, (typeof METHODS)[number]>, never> = {}

export function clusterClient(options: KubeOptions): KubeClient {
  let real: Promise<KubeClient> | undefined
  const client = () => (real ??= import('./connect.js').then(({ connect }) => connect(options)))
  const delegate = (method: keyof KubeClient) => async (...args: unknown[]) =>
    ((await client())[method] as (...a: unknown[]) => Promise<unknown>)(...args)
  void everyMethod
  return Object.fromEntries(METHODS.map((method) => [method, delegate(method)])) as unknown as KubeClient
}
