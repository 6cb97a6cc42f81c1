// The API server's rules for names and labels (apimachinery's validation), in one place: label
// keys are qualified names with an optional DNS-subdomain prefix, label values are at most 63 of
// [A-Za-z0-9_.-] starting and ending alphanumeric (or empty), object names are DNS subdomains and
// namespace names DNS labels. Each function returns the problem in words, or undefined.

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const QUALIFIED_NAME_RULE = "must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit"

export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/')
  if (parts.length > 2) return `label key ${JSON.stringify(key)} has more than one '/'; expected [prefix/]name, e.g. example.com/app`
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]]
  if (prefix !== undefined) {
    if (prefix === '') return `label key ${JSON.stringify(key)} has an empty prefix before '/'`
    const problem = dnsSubdomainProblem(prefix)
    if (problem) return `the prefix of label key ${JSON.stringify(key)} ${problem}`
  }
  if (name === '') return `label key ${JSON.stringify(key)} has an empty name part`
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return `label key ${JSON.stringify(key)}: the name part ${QUALIFIED_NAME_RULE}`
  return undefined
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) return `label value ${JSON.stringify(value)} ${QUALIFIED_NAME_RULE} (or be empty)`
  return undefined
}

export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return "must be a DNS subdomain: at most 253 characters of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
  }
  return undefined
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/** Service names: a DNS label that starts with a letter. */
export function dns1035LabelProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS_1035_LABEL.test(name)) return "must be a DNS-1035 label: at most 63 characters of lowercase letters, digits and '-', starting with a letter and ending with a letter or digit"
  return undefined
}

export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > 63 || !DNS_LABEL.test(name)) return "must be a DNS label: at most 63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit"
  return undefined
}
