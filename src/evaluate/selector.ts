import type { LabelSelector, LabelSelectorRequirement, Labels } from '../model/cluster.js'

/** A compiled label selector. `matchesAll` is true for `{}`, which selects everything. */
export interface LabelMatcher {
  matches(labels: Labels): boolean
  matchesAll: boolean
  /** kubectl-style text, e.g. `app=web,tier in (a,b),!legacy`; `<all>` for `{}`. */
  text: string
  /** Equal for selectors that select the same way (order of matchLabels aside). */
  key: string
}

type Requirement = (labels: Labels) => boolean

export function compileSelector(selector: LabelSelector): LabelMatcher {
  const requirements: Array<[Requirement, string]> = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): [Requirement, string] =>
      [(labels) => Object.hasOwn(labels, key) && labels[key] === value, `${key}=${value}`]),
    ...(selector.matchExpressions ?? []).map((r): [Requirement, string] => [compileRequirement(r), requirementText(r)]),
  ]
  return {
    matches: (labels) => requirements.every(([requirement]) => requirement(labels)),
    matchesAll: requirements.length === 0,
    text: requirements.length === 0 ? '<all>' : requirements.map(([, text]) => text).join(','),
    key: JSON.stringify([Object.entries(selector.matchLabels ?? {}).sort(), selector.matchExpressions ?? []]),
  }
}

function compileRequirement({ key, operator, values = [] }: LabelSelectorRequirement): Requirement {
  const set = new Set(values)
  switch (operator) {
    case 'In': return (labels) => Object.hasOwn(labels, key) && set.has(labels[key])
    // A pod without the key satisfies NotIn: the requirement only excludes the listed values.
    case 'NotIn': return (labels) => !(Object.hasOwn(labels, key)) || !set.has(labels[key])
    case 'Exists': return (labels) => Object.hasOwn(labels, key)
    case 'DoesNotExist': return (labels) => !(Object.hasOwn(labels, key))
  }
}

function requirementText({ key, operator, values = [] }: LabelSelectorRequirement): string {
  switch (operator) {
    case 'In': return `${key} in (${values.join(',')})`
    case 'NotIn': return `${key} notin (${values.join(',')})`
    case 'Exists': return key
    case 'DoesNotExist': return `!${key}`
  }
}
