// The allowed/denied matrix over equivalence classes for one port and protocol, as bitsets.
// Each side is computed once per class: the set of destination classes a source's egress allows,
// and the set of source classes a destination's ingress allows. A pair is allowed when both sets
// agree. Peer sets are built once per distinct peer, so cost grows with classes and rules, not pods².
// It uses the same matching primitives as `evaluate`, which produces the evidence for one pair.
import type { Protocol } from '../model/cluster.js'
import { groupBy } from '../model/collections.js'
import type { CompiledRule, PeerMatcher } from './compile.js'
import type { EndpointClass } from './classes.js'
import type { Endpoint, PodEndpoint } from './endpoint.js'
import { peerMatches, portMatches, resolvePort, type Evaluator } from './evaluate.js'

export interface PortQuery {
  port: number | string
  protocol: Protocol
}

export interface ClassMatrix {
  query: PortQuery
  /** By policy alone: loopback and other CNI-defined defaults are applied by the caller. */
  allowed(from: EndpointClass, to: EndpointClass): boolean
  /**
   * Whether a side's allowing rule matched the peer pod through an ipBlock (its first matching peer
   * is one), as `evaluate` flags `ipblock-pod-ip`: behaviour the spec leaves to the CNI.
   */
  reliesOnIpBlock(from: EndpointClass, to: EndpointClass): boolean
}

class Bitset {
  private readonly words: Uint32Array
  constructor(readonly size: number, filled = false) {
    this.words = new Uint32Array(Math.ceil(size / 32))
    if (filled) this.words.fill(0xffffffff)
  }
  set(i: number): void { this.words[i >>> 5] |= 1 << (i & 31) }
  has(i: number): boolean { return (this.words[i >>> 5] & (1 << (i & 31))) !== 0 }
  orAnd(a: Bitset, b: Bitset): void {
    for (let i = 0; i < this.words.length; i++) this.words[i] |= a.words[i] & b.words[i]
  }
  or(a: Bitset): void {
    for (let i = 0; i < this.words.length; i++) this.words[i] |= a.words[i]
  }
  orAndNot(a: Bitset, b: Bitset): void {
    for (let i = 0; i < this.words.length; i++) this.words[i] |= a.words[i] & ~b.words[i]
  }
}

export function classMatrix(evaluator: Evaluator, classes: EndpointClass[], query: PortQuery): ClassMatrix {
  const tiered = evaluator.tiers.admin.length > 0 || evaluator.tiers.baseline.length > 0
  return tiered ? pairwiseMatrix(evaluator, query) : bitsetMatrix(evaluator, classes, query)
}

/**
 * With cluster-scoped tiers, a rule's effect depends on the rules before it (first match wins, across
 * tiers), so the bitset shortcut does not hold: each class pair is evaluated, once, by `evaluate`.
 */
function pairwiseMatrix(evaluator: Evaluator, query: PortQuery): ClassMatrix {
  const decided = new Map<string, { allowed: boolean; viaIpBlock: boolean }>()
  const decide = (from: EndpointClass, to: EndpointClass) => {
    const key = `${from.id}:${to.id}`
    let result = decided.get(key)
    if (!result) {
      const verdict = evaluator.evaluate({ from: from.representative, to: to.representative, ...query }, { loopback: 'policy' })
      result = { allowed: verdict.egress.allowed && verdict.ingress.allowed, viaIpBlock: verdict.cniDefined.some((c) => c.kind === 'ipblock-pod-ip') }
      decided.set(key, result)
    }
    return result
  }
  return { query, allowed: (from, to) => decide(from, to).allowed, reliesOnIpBlock: (from, to) => decide(from, to).viaIpBlock }
}

function bitsetMatrix(evaluator: Evaluator, classes: EndpointClass[], query: PortQuery): ClassMatrix {
  const sets = ruleSets(classes, query)
  const { size, everyone, rulePeers, rulePorts, portAllows } = sets
  const egressAllows = classes.map((source) => {
    const policies = evaluator.selecting(source.representative, 'egress')
    if (policies.length === 0) return everyone
    const set = new Bitset(size)
    for (const rule of policies.flatMap((p) => p.rules.egress ?? [])) set.orAnd(rulePeers(rule), rulePorts(rule))
    return set
  })
  const ingressAllows = classes.map((destination) => {
    const policies = evaluator.selecting(destination.representative, 'ingress')
    if (policies.length === 0) return everyone
    const set = new Bitset(size)
    for (const rule of policies.flatMap((p) => p.rules.ingress ?? [])) {
      if (portAllows(rule, destination.representative)) set.or(rulePeers(rule))
    }
    return set
  })
  return {
    query,
    allowed: (from, to) => egressAllows[from.id].has(to.id) && ingressAllows[to.id].has(from.id),
    reliesOnIpBlock: ipBlockReliance(evaluator, classes, sets),
  }
}

interface RuleSets {
  size: number
  everyone: Bitset
  /** The classes a peer matches. */
  peerSet(peer: PeerMatcher): Bitset
  /** The classes any peer of a rule matches. */
  rulePeers(rule: CompiledRule): Bitset
  /** The destination classes whose port a rule's ports match. */
  rulePorts(rule: CompiledRule): Bitset
  portAllows(rule: CompiledRule, destination: Endpoint): boolean
}

/** Peer and port sets, built once per distinct peer and per rule (a rule is shared by every class its policy selects). */
function ruleSets(classes: EndpointClass[], query: PortQuery): RuleSets {
  const size = classes.length
  const everyone = new Bitset(size, true)
  const byNamespace = classesByNamespace(classes)
  const namespaceLabels = new Map(classes.flatMap((c) => c.representative.kind === 'pod'
    ? [[c.representative.pod.namespace, c.representative.namespaceLabels] as const] : []))
  const peerSets = new Map<string, Bitset>()
  const trafficTo = (destination: Endpoint) =>
    ({ protocol: query.protocol, port: resolvePort(query.port, destination), destination })
  const peerSet = (peer: PeerMatcher): Bitset => {
    const key = peerKey(peer)
    let set = peerSets.get(key)
    if (!set) {
      set = new Bitset(size)
      for (const c of candidates(peer, classes, byNamespace, namespaceLabels)) {
        if (peerMatches(peer, c.representative)) set.set(c.id)
      }
      peerSets.set(key, set)
    }
    return set
  }
  const portAllows = (rule: CompiledRule, destination: Endpoint) =>
    !rule.ports || rule.ports.some((m) => portMatches(m, trafficTo(destination)))
  return {
    size, everyone, peerSet, portAllows,
    rulePeers: memoize((rule: CompiledRule): Bitset => {
      if (!rule.peers) return everyone
      const set = new Bitset(size)
      for (const peer of rule.peers) set.or(peerSet(peer))
      return set
    }),
    rulePorts: memoize((rule: CompiledRule): Bitset => {
      if (!rule.ports) return everyone
      const set = new Bitset(size)
      for (const destination of classes) if (portAllows(rule, destination.representative)) set.set(destination.id)
      return set
    }),
  }
}

/** Whether an allowing rule of either side matched the peer pod through an ipBlock first, computed per class on first use. */
function ipBlockReliance(evaluator: Evaluator, classes: EndpointClass[], { size, peerSet, rulePorts, portAllows }: RuleSets): ClassMatrix['reliesOnIpBlock'] {
  // The peers an ipBlock matches first in a rule: the evidence `evaluate` reports for the pair.
  const ruleIpBlockFirst = memoize((rule: CompiledRule): Bitset | undefined => {
    if (!rule.peers?.some((p) => p.kind === 'ipBlock')) return undefined
    const set = new Bitset(size)
    const covered = new Bitset(size)
    for (const peer of rule.peers) {
      if (peer.kind === 'ipBlock') set.orAndNot(peerSet(peer), covered)
      covered.or(peerSet(peer))
    }
    return set
  })
  const anyIpBlock = evaluator.policies.some((p) => [...(p.rules.ingress ?? []), ...(p.rules.egress ?? [])].some((r) => ruleIpBlockFirst(r)))
  if (!anyIpBlock) return () => false
  const egressViaIpBlock = lazyPerClass(classes, (source) => {
    const set = new Bitset(size)
    for (const rule of evaluator.selecting(source.representative, 'egress').flatMap((p) => p.rules.egress ?? [])) {
      const viaIp = ruleIpBlockFirst(rule)
      if (viaIp) set.orAnd(viaIp, rulePorts(rule))
    }
    return set
  })
  const ingressViaIpBlock = lazyPerClass(classes, (destination) => {
    const set = new Bitset(size)
    for (const rule of evaluator.selecting(destination.representative, 'ingress').flatMap((p) => p.rules.ingress ?? [])) {
      const viaIp = ruleIpBlockFirst(rule)
      if (viaIp && portAllows(rule, destination.representative)) set.or(viaIp)
    }
    return set
  })
  return (from, to) => (to.representative.kind === 'pod' && egressViaIpBlock(from).has(to.id)) ||
    (from.representative.kind === 'pod' && ingressViaIpBlock(to).has(from.id))
}

function lazyPerClass<V>(classes: EndpointClass[], compute: (c: EndpointClass) => V): (c: EndpointClass) => V {
  const values: Array<V | undefined> = new Array(classes.length)
  return (c) => (values[c.id] ??= compute(c))
}

function memoize<K, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>()
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key))
    return cache.get(key)!
  }
}

function classesByNamespace(classes: EndpointClass[]): Map<string, EndpointClass[]> {
  const pods = classes.filter((c) => c.representative.kind === 'pod')
  return groupBy(pods, (c) => (c.representative as PodEndpoint).pod.namespace)
}

/** Only the classes a peer could possibly match, so a namespaced selector never scans the cluster. */
function candidates(
  peer: PeerMatcher, classes: EndpointClass[], byNamespace: Map<string, EndpointClass[]>,
  namespaceLabels: Map<string, Readonly<Record<string, string>>>,
): EndpointClass[] {
  if (peer.kind === 'ipBlock') return classes
  if (peer.namespaces.kind === 'policy-namespace') return byNamespace.get(peer.namespaces.name) ?? []
  const matcher = peer.namespaces.matcher
  return [...byNamespace.entries()].filter(([ns]) => matcher.matches(namespaceLabels.get(ns) ?? {})).flatMap(([, c]) => c)
}

function peerKey(peer: PeerMatcher): string {
  if (peer.kind === 'ipBlock') return JSON.stringify(['ip', peer.cidr.text, peer.except.map((e) => e.text)])
  const scope = peer.namespaces.kind === 'policy-namespace' ? peer.namespaces.name : peer.namespaces.matcher.key
  return JSON.stringify(['pods', peer.namespaces.kind, scope, peer.pods.key])
}
