// The rules for ports and protocols, in one place: every parser (flags, manifests, scenario files,
// expectations) asks these and words its own error for where the value came from.
import { PROTOCOLS, type Protocol } from './cluster.js'

export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
}

/** An IANA service name, as the API server requires of port names: 1–15 of [a-z0-9-], a letter, no leading, trailing or double '-'. */
export function isPortName(text: string): boolean {
  return text.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text) && /[a-z]/.test(text) && !text.includes('--')
}

/** TCP, UDP or SCTP written in any case; undefined for anything else. */
export function protocolNamed(text: string): Protocol | undefined {
  const protocol = text.toUpperCase() as Protocol
  return PROTOCOLS.includes(protocol) ? protocol : undefined
}
