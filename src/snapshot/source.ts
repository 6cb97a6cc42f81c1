// Where a snapshot comes from: manifest files (offline) or the cluster of a kubeconfig context.
import type { KubeClient, KubeOptions } from '../kube/client.js'
import type { ClusterSnapshot } from '../model/cluster.js'
import { loadSnapshotFromFiles } from './files.js'
import type { LiveScope } from './live.js'

export interface SnapshotSource {
  /** Manifest files or directories; empty means read the live cluster. */
  files: string[]
  kube: KubeOptions
  scope: LiveScope
}

export interface LoadedSnapshot {
  snapshot: ClusterSnapshot
  /** Present when the snapshot was read from a cluster. */
  client?: KubeClient
}

export async function loadSnapshot(source: SnapshotSource): Promise<LoadedSnapshot> {
  if (source.files.length > 0) return { snapshot: await loadSnapshotFromFiles(source.files) }
  // Loaded on demand: the Kubernetes client is a large import that offline runs never need.
  const { connect } = await import('../kube/client.js')
  const { loadSnapshotFromCluster } = await import('./live.js')
  const client = connect(source.kube)
  return { snapshot: await loadSnapshotFromCluster(client, source.scope), client }
}
