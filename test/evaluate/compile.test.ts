// SetDefaults_NetworkPolicy: policyTypes empty (absent or []) means Ingress, plus Egress when egress has rules.
import { describe, expect, it } from 'vitest'
import { compilePolicy, effectivePolicyTypes } from '../../src/evaluate/compile.js'
import { policy } from '../support/world.js'

describe('policyTypes defaulting, as the API server does it', () => {
  it.each([
    { rule: 'absent, no egress rules: Ingress', spec: {}, expected: ['ingress'] },
    { rule: 'absent, egress rules: Ingress and Egress', spec: { egress: [{}] }, expected: ['ingress', 'egress'] },
    { rule: '[] is defaulted like absent', spec: { policyTypes: [], egress: [{}] }, expected: ['ingress', 'egress'] },
    { rule: '[] with egress: [] is Ingress only', spec: { policyTypes: [], egress: [] }, expected: ['ingress'] },
    { rule: 'declared types are kept', spec: { policyTypes: ['Egress' as const], ingress: [{}] }, expected: ['egress'] },
  ])('$rule', ({ spec, expected }) => {
    const p = policy('x', 'p', spec)
    expect([...effectivePolicyTypes(p)]).toEqual(expected)
    const compiled = compilePolicy(p)
    expect((['ingress', 'egress'] as const).filter((d) => compiled.rules[d] !== undefined)).toEqual(expected)
  })
})
