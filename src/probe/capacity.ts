// Free pod slots per node, read from the cluster for the default probe-pod window.
import type { SnapshotReads, WireObject } from '../kube/client.js'
import type { NodeCapacity } from './window.js'

interface WireNode extends WireObject {
  spec?: { unschedulable?: boolean; taints?: Array<{ effect?: string }> }
  status?: { allocatable?: { pods?: string } }
}

interface WirePodPlacement extends WireObject {
  spec?: { nodeName?: string }
  status?: { phase?: string }
}

export async function readCapacity(client: SnapshotReads): Promise<NodeCapacity[]> {
  const [nodes, pods] = await Promise.all([client.listObjects('Node'), client.listObjects('Pod')])
  const perNode = new Map<string, number>()
  for (const pod of pods as WirePodPlacement[]) {
    const node = pod.spec?.nodeName
    if (node && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') perNode.set(node, (perNode.get(node) ?? 0) + 1)
  }
  return (nodes as WireNode[]).map((node) => ({
    name: node.metadata.name!,
    allocatablePods: Number(node.status?.allocatable?.pods ?? 0),
    pods: perNode.get(node.metadata.name!) ?? 0,
    schedulable: !node.spec?.unschedulable && !(node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
  }))
}
