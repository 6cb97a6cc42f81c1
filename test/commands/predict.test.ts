// The predict and explain commands as a user runs them: the built commands in-process, real files, exit codes.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

const pod = (ns: string, name: string, ip: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {pod: ${name}}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80, name: serve-80-tcp}, {containerPort: 81, name: serve-81-tcp}]}]}
status: {podIP: ${ip}}
`
const WORLD = [
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {ns: x}}',
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {ns: y}}',
  pod('x', 'a', '198.18.1.10'), pod('x', 'b', '198.18.1.11'), pod('y', 'a', '198.18.2.10'),
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}], ports: [{port: serve-80-tcp}]}]`,
].join('\n---\n')

describe('predict --all-pods -o json follows the pod-level contract', () => {
  const file = manifestFile(WORLD)

  it('has one result per ordered pair (self and external included) with from, to, port, protocol, allowed', async () => {
    const { code, stdout } = await run(['predict', '-f', file, '--port', '80', '--protocol', 'TCP', '--external', '198.19.250.7', '-o', 'json', '--all-pods'])
    expect(code).toBe(0)
    const { results } = JSON.parse(stdout)
    const endpoints = ['x/a', 'x/b', 'y/a', '198.19.250.7']
    expect(results).toHaveLength(endpoints.length ** 2)
    expect(new Set(results.map((r: { from: string; to: string }) => `${r.from}->${r.to}`)).size).toBe(16)
    for (const r of results) {
      expect(r).toMatchObject({ port: 80, protocol: 'TCP' })
      expect(typeof r.allowed).toBe('boolean')
    }
    const denied = results.filter((r: { allowed: boolean }) => !r.allowed).map((r: { from: string; to: string }) => `${r.from}->${r.to}`).sort()
    expect(denied).toEqual(['198.19.250.7->x/a', 'y/a->x/a'])
  })

  it('--json prints the same report', async () => {
    const viaFlag = JSON.parse((await run(['predict', '-f', file, '--port', '80', '--json', '--all-pods'])).stdout)
    const viaOutput = JSON.parse((await run(['predict', '-f', file, '--port', '80', '-o', 'json', '--all-pods'])).stdout)
    expect(viaFlag.results).toEqual(viaOutput.results)
  })

  it('carries the rules that decide each side only with --explain', async () => {
    const plain = JSON.parse((await run(['predict', '-f', file, '--port', '80', '--from', 'x/b', '--to', 'x/a', '-o', 'json', '--all-pods'])).stdout)
    expect(plain.results[0]).toEqual({ from: 'x/b', to: 'x/a', port: 80, protocol: 'TCP', allowed: true })
    const explained = JSON.parse((await run(['predict', '-f', file, '--port', '80', '--from', 'x/b', '--to', 'x/a', '-o', 'json', '--all-pods', '--explain'])).stdout)
    expect(explained.results[0]).toMatchObject({ allowed: true, egress: { isolated: false }, ingress: { isolated: true, allowedBy: ['x/a-from-b ingress[0]'] } })
  })

  it('a port name is kept as a name in the result and resolved per destination', async () => {
    const { results } = JSON.parse((await run(['predict', '-f', file, '--port', 'serve-81-tcp', '-o', 'json', '--to', 'x/a', '--all-pods'])).stdout)
    expect(results.map((r: { from: string; port: string; resolvedPort: number; allowed: boolean }) => [r.from, r.port, r.resolvedPort, r.allowed]))
      .toEqual([['x/a', 'serve-81-tcp', 81, true], ['x/b', 'serve-81-tcp', 81, false], ['y/a', 'serve-81-tcp', 81, false]])
  })

  it('--from and --to narrow the results', async () => {
    const { results } = JSON.parse((await run(['predict', '-f', file, '--port', '80', '--from', 'y/*', '--to', 'x/a', '-o', 'json', '--all-pods'])).stdout)
    expect(results.map((r: { from: string; to: string }) => `${r.from}->${r.to}`)).toEqual(['y/a->x/a'])
  })

  it('without --port, every declared port is a query', async () => {
    const { results } = JSON.parse((await run(['predict', '-f', file, '-o', 'json', '--all-pods'])).stdout)
    expect(new Set(results.map((r: { port: number }) => r.port))).toEqual(new Set([80, 81]))
  })

  it('prints a truth table by default, X for denied', async () => {
    const { stdout } = await run(['predict', '-f', file, '--port', '80'], { COLUMNS: '200' })
    const row = stdout.split('\n').find((l) => l.startsWith('y/a'))
    expect(row?.split(/\s+/).slice(0, 2)).toEqual(['y/a', 'X'])
  })
})

describe('explain', () => {
  const file = manifestFile(WORLD)

  it('shows both sides, quotes the deciding rule and gives the answer', async () => {
    const { code, stdout } = await run(['explain', '-f', file, '--from', 'x/b', '--to', 'x/a', '--port', '80'])
    expect(code).toBe(0)
    expect(stdout).toContain('Egress from x/b (source side)')
    expect(stdout).toContain('Ingress to x/a (destination side)')
    expect(stdout).toMatch(/allowed by x\/a-from-b ingress\[0\]/)
    expect(stdout).toContain('port: serve-80-tcp')
    expect(stdout).toContain('Result: ALLOWED')
  })

  it('a denial says which side blocked and why no rule matched', async () => {
    const { stdout } = await run(['explain', '-f', file, '--from', 'y/a', '--to', 'x/a', '--port', '80'])
    expect(stdout).toContain("from[0]: a podSelector without namespaceSelector only selects pods in x (the policy's namespace); the peer is in y")
    expect(stdout).toMatch(/Result: DENIED .*destination's ingress/)
  })

  it('needs --from and --to', async () => {
    const { code, stderr } = await run(['explain', '-f', file, '--port', '80'])
    expect(code).toBe(2)
    expect(stderr).toContain('--from')
  })
})

describe('bad input: one line naming the place, exit 2, no stack trace', () => {
  const cases: Array<{ rule: string; text: string; expected: RegExp }> = [
    { rule: 'malformed YAML names file and document', text: 'kind: Pod\n---\nkind: [unclosed', expected: /world\.yaml, document 1/ },
    { rule: 'invalid CIDR names the field path', text: 'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]', expected: /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr/ },
    { rule: 'invalid protocol names the field path', text: 'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{protocol: ICMP}]}]', expected: /spec\.ingress\[0\]\.ports\[0\]\.protocol/ },
    { rule: 'unknown selector operator names it', text: 'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: p, namespace: x}\nspec:\n  podSelector: {matchExpressions: [{key: a, operator: Like, values: [b]}]}', expected: /Like/ },
  ]
  it.each(cases)('$rule', async ({ text, expected }) => {
    const { code, stderr, stdout } = await run(['predict', '-f', manifestFile(text)])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(expected)
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  const flagCases: Array<{ args: string[]; error: string }> = [
    { args: ['--port', '0'], error: 'error: --port: invalid port 0: must be between 1 and 65535' },
    { args: ['--port', 'Web'], error: 'error: --port: invalid port "Web": expected a number or a port name (lowercase letters, digits and \'-\', at most 15)' },
    { args: ['--protocol', 'icmp'], error: 'error: --protocol: invalid protocol "icmp": expected TCP, UDP or SCTP' },
    { args: ['--from', 'x/a/b'], error: 'error: --from: invalid endpoint "x/a/b": expected NAMESPACE/NAME (a pod or workload), KIND/NAME, NAMESPACE/* or an IP address' },
    { args: ['--external', 'example.com'], error: 'error: --external: invalid address "example.com": expected an IPv4 or IPv6 address' },
    { args: ['-l', 'app in (a'], error: 'error: --selector: cannot parse label selector "app in (a" at "app in (a"' },
    { args: ['--request-timeout', 'soon'], error: 'error: --request-timeout: invalid duration "soon": use e.g. 30s, 2m or 1h' },
  ]
  it.each(flagCases)('a bad flag value is refused as the flag is read: $args', async ({ args, error }) => {
    const { code, stderr, stdout } = await run(['predict', '-f', manifestFile(WORLD), ...args])
    expect(stderr).toBe(`${error}\n`)
    expect(stdout).toBe('')
    expect(code).toBe(2)
  })

  it('--debug adds the stack trace', async () => {
    const { code, stderr } = await run(['predict', '-f', manifestFile('kind: [unclosed'), '--debug'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/\n\s+at /)
  })

  it('an unknown kind is skipped with a note, not an error', async () => {
    const { code, stderr } = await run(['predict', '-f', manifestFile(`${WORLD}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}`), '--port', '80', '-o', 'json'])
    expect(code).toBe(0)
    expect(stderr).toMatch(/note: .*ConfigMap/)
  })

  it('an unknown flag is a usage error', async () => {
    expect((await run(['predict', '--nope'])).code).toBe(2)
  })

  it('no kubeconfig anywhere is a clear error, not a silent localhost:8080', async () => {
    const { code, stderr } = await run(['predict'], { KUBECONFIG: '', HOME: mkdtempSync(join(tmpdir(), 'home-')) })
    expect(code).toBe(2)
    expect(stderr).toMatch(/no cluster configured/)
  })
})

describe('lint warnings', () => {
  it('are printed on stderr, and --strict turns them into exit 1', async () => {
    const file = manifestFile(`${WORLD}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ghost, namespace: y}\nspec: {podSelector: {matchLabels: {app: nothing}}}`)
    const relaxed = await run(['predict', '-f', file, '--port', '80'])
    expect(relaxed.code).toBe(0)
    expect(relaxed.stderr).toMatch(/warning: y\/ghost selects no pod/)
    expect((await run(['predict', '-f', file, '--port', '80', '--strict'])).code).toBe(1)
  })
})
