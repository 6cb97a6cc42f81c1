// Where a snapshot comes from: manifest files (offline) or the cluster of a kubeconfig context.
import type { KubeClient } from '../kube/client.js'
import type { ClusterSnapshot } from '../model/cluster.js'
import { loadSnapshotFromFiles } from './files.js'
import type { LiveScope } from './live.js'

export interface SnapshotSource {
  /** Manifest files or directories; empty means read the live cluster. */
  files: string[]
  /** The command's cluster; only used when `files` is empty. */
  client: KubeClient
  scope: LiveScope
}

export interface LoadedSnapshot {
  snapshot: ClusterSnapshot
  /** Present when the snapshot was read from a cluster. */
  client?: KubeClient
}

export async function loadSnapshot(source: SnapshotSource): Promise<LoadedSnapshot> {
  if (source.files.length > 0) {
    // As for `kubectl apply -f`: -n is the namespace of objects that do not name one.
    const { namespaces } = source.scope
    return { snapshot: await loadSnapshotFromFiles(source.files, namespaces.length === 1 ? { defaultNamespace: namespaces[0] } : {}) }
  }
  const { loadSnapshotFromCluster } = await import('./live.js')
  return { snapshot: await loadSnapshotFromCluster(source.client, source.scope), client: source.client }
}
