// The client a command creates once and passes down: it reads kubeconfig and loads
// @kubernetes/client-node (a large import offline runs never need) on its first request, then
// sends every request through that one connection.
import type { KubeClient } from './client.js'
import type { KubeOptions } from './config.js'

export function clusterClient(options: KubeOptions): KubeClient {
  let connected: Promise<KubeClient> | undefined
  const on = async <T>(request: (client: KubeClient) => Promise<T>): Promise<T> =>
    request(await (connected ??= import('./connect.js').then(({ connect }) => connect(options))))
  return {
    defaultNamespace: () => on((c) => c.defaultNamespace()),
    listObjects: (kind, scope) => on((c) => c.listObjects(kind, scope)),
    createObject: (manifest) => on((c) => c.createObject(manifest)),
    replaceObject: (manifest) => on((c) => c.replaceObject(manifest)),
    deleteObject: (ref) => on((c) => c.deleteObject(ref)),
    patchLabels: (ref, labels) => on((c) => c.patchLabels(ref, labels)),
    readMetadata: (ref) => on((c) => c.readMetadata(ref)),
    findLabelled: (selector) => on((c) => c.findLabelled(selector)),
    deleteLabelled: (namespace, selector) => on((c) => c.deleteLabelled(namespace, selector)),
    listPods: (namespace, selector) => on((c) => c.listPods(namespace, selector)),
    addEphemeralContainer: (namespace, pod, container) => on((c) => c.addEphemeralContainer(namespace, pod, container)),
    exec: (target, command, timeoutMs) => on((c) => c.exec(target, command, timeoutMs)),
    canI: (attributes) => on((c) => c.canI(attributes)),
  }
}
