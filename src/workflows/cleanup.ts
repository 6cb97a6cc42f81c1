// Removes what kubectl-netpol runs left in a cluster: everything carrying the run-id label.
import type { KubeClient } from '../kube/client.js'
import { RUN_ID_LABEL } from '../model/cluster.js'

export interface CleanupReport {
  removed: Array<{ kind: string; namespace: string; name: string; runId: string }>
}

export async function cleanupRuns(client: KubeClient, runId?: string): Promise<CleanupReport> {
  const selector = runId ? `${RUN_ID_LABEL}=${runId}` : RUN_ID_LABEL
  const found = await client.findLabelled(selector)
  for (const namespace of new Set(found.map((o) => o.namespace))) await client.deleteLabelled(namespace, selector)
  return { removed: found.map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name, runId: o.labels[RUN_ID_LABEL] })) }
}
