// Scenario files: YAML text → a checked Scenario. Pure (the caller reads the file). Every error is
// one InputError line naming the file and the field path, e.g.
//   scenarios/x.yaml: steps[1].expect[3]: unknown pod "backnd" (known: frontend, backend, db)
import { parseDocument } from 'yaml'
import { z } from 'zod'
import type { NetworkPolicy } from '../model/cluster.js'
import { PROTOCOLS } from '../model/cluster.js'
import { formatLocated, InputError } from '../model/errors.js'
import { isPortName, isPortNumber } from '../model/ports.js'
import { yamlSyntaxError } from '../snapshot/files.js'
import { snapshotFromObjects } from '../snapshot/objects.js'
import { ExpectationSyntaxError, parseExpectation, parseTable, type Expectation } from './expectation.js'
import { DNS_ID, scenarioError, type LabelAction, type Scenario, type Step, type World, type WorldPod, type WorldPort } from './model.js'
import { expectedConnections, stepStates } from './state.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** Namespaces are created as `<run prefix>-<name>`: leave room for the prefix within 63 characters. */
const MAX_NAMESPACE_LENGTH = 50

const labels = z.record(z.string(), z.string())
const portNumber = z.number().refine(isPortNumber, { error: 'expected a port number, an integer 1–65535' })
const portName = z.string().refine(isPortName, { error: "expected a port name: 1–15 lowercase letters, digits and '-', with a letter, no leading, trailing or double '-'" })
const port = z.union([
  portNumber,
  z.strictObject({ port: portNumber, protocol: z.enum(PROTOCOLS as [string, ...string[]]).optional(), name: portName.optional() }),
], { error: 'expected a port number or {port, protocol?, name?}' })

const pod = z.strictObject({
  namespace: z.string().optional(),
  labels: labels.optional(),
  ports: z.array(port).min(1, 'a pod needs at least one port (its server listens on each)'),
})

export const world = z.strictObject({
  namespaces: z.record(z.string(), labels.nullable()),
  pods: z.record(z.string(), pod),
  dns: z.boolean().optional(),
})

const labelAction = z.strictObject({
  namespace: z.string().optional(),
  pod: z.string().optional(),
  set: labels.optional(),
  remove: z.array(z.string()).optional(),
})

export const expectation = z.union([
  z.string(),
  z.strictObject({ table: z.union([z.string(), portNumber]), rows: z.string() }),
], { error: 'expected "FROM -> TO[:PORT[/PROTOCOL]] allow|deny" or {table: PORT[/PROTOCOL], rows: |…}' })

export const manifest = z.record(z.string(), z.unknown())

const step = z.strictObject({
  name: z.string().min(1),
  delete: z.array(z.string()).optional(),
  replace: z.array(manifest).optional(),
  apply: z.array(manifest).optional(),
  label: z.array(labelAction).optional(),
  expect: z.array(expectation).optional(),
  offlineOnly: z.string().min(1).optional(),
})

const scenario = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()).optional(),
  bestEffort: z.array(z.enum(PROTOCOLS as [string, ...string[]])).optional(),
  world,
  steps: z.array(step).min(1, 'a scenario needs at least one step'),
})

type RawScenario = z.infer<typeof scenario>
type RawStep = z.infer<typeof step>

export function parseScenario(text: string, file: string): Scenario {
  const raw = validateShape(parseYaml(text, file), file)
  const fail = (path: string, message: string): never => { throw scenarioError(file, path, message) }
  const builtWorld = toWorld(raw.world, fail)
  const steps = raw.steps.map((s, i) => toStep(s, `steps[${i}]`, builtWorld, fail))
  const parsed: Scenario = {
    file,
    name: raw.name,
    description: raw.description,
    tags: raw.tags ?? [],
    bestEffort: (raw.bestEffort ?? []) as Scenario['bestEffort'],
    world: builtWorld,
    steps,
  }
  // Replaying the steps checks policy names; expanding the expectations checks the pods they name.
  stepStates(parsed).forEach((state, i) => expectedConnections(parsed, parsed.steps[i], state))
  return parsed
}

/** A `probe --expect` file: a YAML list of expectations, each a compact line or a table. */
export function parseExpectationFile(text: string, file: string): Array<Expectation & { path: string }> {
  const result = z.array(expectation).min(1, 'list at least one expectation').safeParse(parseYaml(text, file))
  if (!result.success) {
    const issue = result.error.issues[0]
    throw scenarioError(file, fieldPath(issue.path), issue.message.replace(/^Invalid input: /, ''))
  }
  return toExpectations(result.data, '', (path, message) => { throw scenarioError(file, path, message) })
}

export function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text)
  const [error] = document.errors
  if (error) throw yamlSyntaxError(error, { file })
  return document.toJS()
}

function validateShape(value: unknown, file: string): RawScenario {
  return checkShape(scenario, value, file)
}

/** The value checked against a zod schema; the first problem becomes one located InputError line. */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  // A misspelt field shows up twice, as unknown and as missing: the unknown one names the cause.
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]
  if (issue.code === 'unrecognized_keys') throw scenarioError(file, fieldPath([...issue.path, issue.keys[0]]), `unknown field "${issue.keys[0]}"`)
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message)
  throw scenarioError(file, fieldPath(issue.path), missing ? 'is required' : issue.message.replace(/^Invalid input: /, ''))
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((segment, i) => {
    if (typeof segment === 'number') return `[${segment}]`
    const key = String(segment)
    if (!/^[A-Za-z_][\w-]*$/.test(key)) return `[${JSON.stringify(key)}]`
    return i === 0 ? key : `.${key}`
  }).join('')
}

export type Fail = (path: string, message: string) => never

export function toWorld(raw: RawScenario['world'], fail: Fail): World {
  const namespaces = Object.entries(raw.namespaces).map(([name, nsLabels]) => {
    if (!DNS_LABEL.test(name) || name.length > MAX_NAMESPACE_LENGTH) fail(`world.namespaces.${name}`, `namespace name must be a DNS label of at most ${MAX_NAMESPACE_LENGTH} characters`)
    return { name, labels: nsLabels ?? {} }
  })
  if (namespaces.length === 0) fail('world.namespaces', 'declare at least one namespace')
  const namespaceNames = namespaces.map((n) => n.name)
  const pods = Object.entries(raw.pods).map(([id, p]) => toPod(id, p, namespaceNames, fail))
  const dns = raw.dns ?? false
  if (dns && pods.some((p) => p.id === DNS_ID)) fail(`world.pods.${DNS_ID}`, `"${DNS_ID}" names the cluster DNS when world.dns is true; rename this pod`)
  return { namespaces, pods, dns }
}

function toPod(id: string, raw: z.infer<typeof pod>, namespaces: string[], fail: Fail): WorldPod {
  const path = fieldPath(['world', 'pods', id])
  const [prefix, rest] = id.includes('/') ? id.split('/', 2) : [undefined, id]
  if (!DNS_LABEL.test(rest)) fail(path, `pod name "${rest}" must be a DNS label (lowercase letters, digits, '-')`)
  const namespace = raw.namespace ?? prefix ?? (namespaces.length === 1 ? namespaces[0] : undefined)
  if (namespace === undefined) fail(`${path}.namespace`, `is required when the world has several namespaces (${namespaces.join(', ')})`)
  if (prefix !== undefined && raw.namespace !== undefined && raw.namespace !== prefix) fail(`${path}.namespace`, `"${raw.namespace}" contradicts the name "${id}"`)
  if (!namespaces.includes(namespace)) fail(`${path}.namespace`, `unknown namespace "${namespace}" (known: ${namespaces.join(', ')})`)
  const ports: WorldPort[] = raw.ports.map((p) => typeof p === 'number'
    ? { port: p, protocol: 'TCP' }
    : { port: p.port, protocol: (p.protocol ?? 'TCP') as WorldPort['protocol'], ...(p.name ? { name: p.name } : {}) })
  return { id, namespace, name: rest, labels: raw.labels ?? {}, ports }
}

function toStep(raw: RawStep, path: string, world: World, fail: Fail): Step {
  const policies = (list: Array<Record<string, unknown>> | undefined, key: string) =>
    (list ?? []).map((m, i) => toPolicy(m, `${path}.${key}[${i}]`, world, fail))
  return {
    name: raw.name,
    delete: (raw.delete ?? []).map((name, i) => qualifyPolicyName(name, `${path}.delete[${i}]`, world, fail)),
    replace: policies(raw.replace, 'replace'),
    apply: policies(raw.apply, 'apply'),
    label: (raw.label ?? []).map((l, i) => toLabelAction(l, `${path}.label[${i}]`, world, fail)),
    expect: toExpectations(raw.expect ?? [], `${path}.expect`, fail),
    ...(raw.offlineOnly ? { offlineOnly: raw.offlineOnly } : {}),
  }
}

function qualifyPolicyName(name: string, path: string, world: World, fail: Fail): string {
  if (name.includes('/')) return name
  if (world.namespaces.length === 1) return `${world.namespaces[0].name}/${name}`
  return fail(path, `write the policy as NAMESPACE/NAME: the world has several namespaces`)
}

export function toPolicy(manifest: Record<string, unknown>, path: string, world: World, fail: Fail): NetworkPolicy {
  const kind = manifest.kind ?? 'NetworkPolicy'
  if (kind !== 'NetworkPolicy') fail(`${path}.kind`, `only NetworkPolicy manifests can be applied, got ${JSON.stringify(kind)}`)
  const metadata = (manifest.metadata ?? {}) as Record<string, unknown>
  const namespaces = world.namespaces.map((n) => n.name)
  const namespace = metadata.namespace ?? (namespaces.length === 1 ? namespaces[0] : undefined)
  if (namespace === undefined) fail(`${path}.metadata.namespace`, `is required when the world has several namespaces (${namespaces.join(', ')})`)
  if (typeof namespace !== 'string' || !namespaces.includes(namespace)) fail(`${path}.metadata.namespace`, `unknown namespace ${JSON.stringify(namespace)} (known: ${namespaces.join(', ')})`)
  const object = { apiVersion: 'networking.k8s.io/v1', ...manifest, kind, metadata: { ...metadata, namespace } }
  try {
    return snapshotFromObjects([{ file: '', index: 0, object }]).policies[0]
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    const reason = error.message.slice(formatLocated('', error.location).length)
    return fail(error.location.field ? `${path}.${error.location.field}` : path, reason)
  }
}

function toLabelAction(raw: z.infer<typeof labelAction>, path: string, world: World, fail: Fail): LabelAction {
  if ((raw.namespace === undefined) === (raw.pod === undefined)) fail(path, 'set exactly one of namespace or pod')
  const changes = { set: raw.set ?? {}, remove: raw.remove ?? [] }
  if (raw.namespace !== undefined) {
    if (!world.namespaces.some((n) => n.name === raw.namespace)) fail(`${path}.namespace`, `unknown namespace "${raw.namespace}" (known: ${world.namespaces.map((n) => n.name).join(', ')})`)
    return { target: { kind: 'namespace', name: raw.namespace }, ...changes }
  }
  const target = world.pods.find((p) => p.id === raw.pod || `${p.namespace}/${p.name}` === raw.pod)
  if (!target) fail(`${path}.pod`, `unknown pod "${raw.pod}" (known: ${world.pods.map((p) => p.id).join(', ')})`)
  return { target: { kind: 'pod', id: target.id }, ...changes }
}

export function toExpectations(raw: NonNullable<RawStep['expect']>, path: string, fail: Fail): Step['expect'] {
  return raw.flatMap((entry, i) => {
    try {
      const parsed = typeof entry === 'string' ? [parseExpectation(entry)] : parseTable(String(entry.table), entry.rows)
      return parsed.map((e) => ({ ...e, path: `${path}[${i}]` }))
    } catch (error) {
      if (error instanceof ExpectationSyntaxError) return fail(`${path}[${i}]`, error.message)
      throw error
    }
  })
}
