import type { LabelSelector, LabelSelectorRequirement, Labels } from '../model/cluster.js'

/** A compiled label selector. `matchesAll` is true for `{}`, which selects everything. */
export interface LabelMatcher {
  matches(labels: Labels): boolean
  /** The requirements the labels fail, in the selector's order (empty when it matches). */
  unmet(labels: Labels): UnmetRequirement[]
  matchesAll: boolean
  /** kubectl-style text, e.g. `app=web,tier in (a,b),!legacy`; `<all>` for `{}`. */
  text: string
  /** Equal for selectors that select the same way (order of matchLabels aside). */
  key: string
}

/** One requirement of a selector that a set of labels fails, with what the labels hold for its key. */
export interface UnmetRequirement {
  /** The requirement as kubectl writes it: `name=kube-system`, `tier in (a,b)`, `!legacy`. */
  requirement: string
  key: string
  operator: LabelSelectorRequirement['operator']
  /** The values it accepts (In, matchLabels) or excludes (NotIn). */
  values: string[]
  /** The value the labels have for the key; absent when they lack it. */
  actual?: string
}

interface Compiled {
  test: (labels: Labels) => boolean
  requirement: LabelSelectorRequirement
  text: string
}

export function compileSelector(selector: LabelSelector): LabelMatcher {
  const requirements: Compiled[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): LabelSelectorRequirement => ({ key, operator: 'In', values: [value] })),
    ...(selector.matchExpressions ?? []),
  ].map((requirement, i) => ({
    test: compileRequirement(requirement),
    requirement,
    text: i < Object.keys(selector.matchLabels ?? {}).length ? `${requirement.key}=${requirement.values![0]}` : requirementText(requirement),
  }))
  return {
    matches: (labels) => requirements.every((r) => r.test(labels)),
    unmet: (labels) => requirements.filter((r) => !r.test(labels)).map(({ requirement: { key, operator, values = [] }, text }) => ({
      requirement: text, key, operator, values, ...(Object.hasOwn(labels, key) ? { actual: labels[key] } : {}),
    })),
    matchesAll: requirements.length === 0,
    text: requirements.length === 0 ? '<all>' : requirements.map((r) => r.text).join(','),
    key: JSON.stringify([Object.entries(selector.matchLabels ?? {}).sort(), selector.matchExpressions ?? []]),
  }
}

function compileRequirement({ key, operator, values = [] }: LabelSelectorRequirement): (labels: Labels) => boolean {
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
