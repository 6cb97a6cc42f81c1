import type { ClusterSnapshot, Labels, Pod } from '../model/cluster.js'
import { NAMESPACE_NAME_LABEL, podKey } from '../model/cluster.js'
import { parseAddress, type Address } from '../model/ip.js'

/** A pod of the cluster, seen with its namespace's labels. */
export interface PodEndpoint {
  kind: 'pod'
  key: string
  pod: Pod
  namespaceLabels: Labels
  addresses: Address[]
}

/** An address outside the pod network: something on the internet, a node, a VM. */
export interface ExternalEndpoint {
  kind: 'external'
  key: string
  address: Address
  /** Name of the cluster node that owns this address, if any. */
  node?: string
}

export type Endpoint = PodEndpoint | ExternalEndpoint

export function endpointsOf(snapshot: ClusterSnapshot): Endpoint[] {
  const namespaceLabels = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]))
  const nodeByIp = new Map(snapshot.nodes.flatMap((node) => node.ips.map((ip) => [ip, node.name] as const)))
  return [
    ...snapshot.pods.map((pod) => podEndpoint(pod, namespaceLabels.get(pod.namespace) ?? { [NAMESPACE_NAME_LABEL]: pod.namespace })),
    ...snapshot.externals.map((ip) => externalEndpoint(ip, nodeByIp.get(ip))),
  ]
}

export function podEndpoint(pod: Pod, namespaceLabels: Labels): PodEndpoint {
  return {
    kind: 'pod',
    key: podKey(pod),
    pod,
    namespaceLabels,
    addresses: pod.ips.map(parseAddress).filter((a): a is Address => a !== undefined),
  }
}

export function externalEndpoint(ip: string, node?: string): ExternalEndpoint {
  const address = parseAddress(ip)
  if (!address) throw new Error(`not an IP address: ${ip}`)
  return { kind: 'external', key: ip, address, node }
}
