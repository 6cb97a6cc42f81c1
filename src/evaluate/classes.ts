// Endpoints that every policy treats alike form one equivalence class, so a matrix is computed per
// class pair rather than per pod pair. For pods, what any rule can see is: namespace (and so its
// labels), pod labels, declared ports (named ports), hostNetwork, and which ipBlocks contain the
// pod's IPs. External addresses are classes of their own.
import { cidrContains } from '../model/ip.js'
import type { CompiledPolicy, PeerMatcher } from './compile.js'
import type { Endpoint } from './endpoint.js'
import { labelsKey } from './evaluate.js'
import type { ClusterTiers } from './tiers.js'

export interface EndpointClass {
  id: number
  key: string
  /** The member used to evaluate the class; every member gets the same verdicts (but loopback). */
  representative: Endpoint
  members: Endpoint[]
}

type IpBlockMatcher = Extract<PeerMatcher, { kind: 'ipBlock' }>

/** `tiers`: the admin tiers, whose `networks` peers split classes as ipBlocks do. */
export function classify(endpoints: Endpoint[], policies: CompiledPolicy[], tiers?: ClusterTiers): EndpointClass[] {
  const ipBlocks = [...distinctIpBlocks(policies), ...tierNetworks(tiers)]
  const classes = new Map<string, EndpointClass>()
  for (const endpoint of endpoints) {
    const key = classKey(endpoint, ipBlocks)
    const existing = classes.get(key)
    if (existing) existing.members.push(endpoint)
    else classes.set(key, { id: classes.size, key, representative: endpoint, members: [endpoint] })
  }
  return [...classes.values()]
}

function classKey(endpoint: Endpoint, ipBlocks: IpBlockMatcher[]): string {
  if (endpoint.kind === 'external') return `external\0${endpoint.key}`
  const { pod } = endpoint
  const ports = pod.ports.map((p) => `${p.name ?? ''}:${p.containerPort}/${p.protocol}`).sort().join(',')
  const inBlocks = ipBlocks.map((block) =>
    endpoint.addresses.some((a) => cidrContains(block.cidr, a) && !block.except.some((e) => cidrContains(e, a))) ? '1' : '0').join('')
  return ['pod', pod.namespace, labelsKey(pod.labels), ports, pod.hostNetwork ? 'host' : '', inBlocks].join('\0')
}

function tierNetworks(tiers: ClusterTiers | undefined): IpBlockMatcher[] {
  const rules = tiers ? [...tiers.admin, ...tiers.baseline].flatMap((p) => p.rules.egress) : []
  return rules.flatMap((r) => r.peers).flatMap((peer) => peer.kind === 'networks'
    ? peer.cidrs.map((cidr): IpBlockMatcher => ({ kind: 'ipBlock', index: peer.index, cidr, except: [] }))
    : [])
}

function distinctIpBlocks(policies: CompiledPolicy[]): IpBlockMatcher[] {
  const blocks = new Map<string, IpBlockMatcher>()
  for (const policy of policies) {
    for (const rules of [policy.rules.ingress, policy.rules.egress]) {
      for (const peer of (rules ?? []).flatMap((r) => r.peers ?? [])) {
        if (peer.kind !== 'ipBlock') continue
        const key = [peer.cidr.family, peer.cidr.network, peer.cidr.prefix, ...peer.except.map((e) => `${e.network}/${e.prefix}`)].join(' ')
        if (!blocks.has(key)) blocks.set(key, peer)
      }
    }
  }
  return [...blocks.values()]
}
