// IPv4/IPv6 addresses and CIDRs as bigints, so containment is one mask-and-compare for both families.
import { isIPv4, isIPv6 } from 'node:net'

export type Family = 4 | 6

export interface Address {
  family: Family
  value: bigint
}

export interface Cidr {
  family: Family
  /** Network address with host bits cleared: `10.1.2.3/4` is stored as `0.0.0.0/4`, as Kubernetes does. */
  network: bigint
  prefix: number
  text: string
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 }

export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4ToBigint(text) }
  if (isIPv6(text)) return { family: 6, value: ipv6ToBigint(text) }
  return undefined
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const address = parseAddress(text.slice(0, slash))
  const prefixText = text.slice(slash + 1)
  if (!address || !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > BITS[address.family]) return undefined
  return { family: address.family, network: address.value & mask(address.family, prefix), prefix, text }
}

export function cidrContains(cidr: Cidr, address: Address): boolean {
  return cidr.family === address.family && (address.value & mask(cidr.family, cidr.prefix)) === cidr.network
}

/** True when every address of `inner` is inside `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix &&
    (inner.network & mask(outer.family, outer.prefix)) === outer.network
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family])
  const all = (1n << bits) - 1n
  return prefix === 0 ? 0n : (all >> (bits - BigInt(prefix))) << (bits - BigInt(prefix))
}

function ipv4ToBigint(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n)
}

function ipv6ToBigint(text: string): bigint {
  const lastColon = text.lastIndexOf(':')
  const last = text.slice(lastColon + 1)
  // Embedded IPv4 (e.g. ::ffff:1.2.3.4) stands for the last two 16-bit groups.
  const body = last.includes('.')
    ? `${text.slice(0, lastColon + 1)}${(ipv4ToBigint(last) >> 16n).toString(16)}:${(ipv4ToBigint(last) & 0xffffn).toString(16)}`
    : text
  const [head, tail] = body.includes('::') ? body.split('::') : [body, undefined]
  const headGroups = head ? head.split(':') : []
  const tailGroups = tail ? tail.split(':') : []
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0')
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n)
}
