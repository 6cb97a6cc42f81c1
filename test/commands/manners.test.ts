// kubectl manners and flag validation as a user sees them: help, version, topics, argument names,
// -n for namespace-less manifests, "No resources found", and every flag value rejected with exit 2.
import { createServer } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'
import { runCli as run } from './in-process.js'

const file = (name: string, text: string) => manifestFile(text, name)

const WORLD = file('world.yaml', `
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 198.18.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 9090}]}]}
status: {podIP: 198.18.0.6}
`)

const NAMESPACED = file('namespaced.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop}\n')

describe('help and version', () => {
  it('-h is --help', async () => {
    const { code, stdout } = await run(['predict', '-h'])
    expect(code).toBe(0)
    expect(stdout).toContain('Predict which connections NetworkPolicy allows')
    expect(stdout).toContain('kubectl netpol predict -f manifests/')
    expect(stdout).not.toContain('$ kubectl-netpol predict -f')
  })

  it('--version prints the version', async () => {
    const { code, stdout } = await run(['--version'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^kubectl-netpol\/\d+\.\d+\.\d+ /)
  })

  it.each([
    { args: ['drill', 'start'], name: 'NAME' },
    { args: ['scenario', 'validate'], name: 'FILE' },
    { args: ['completion'], name: 'SHELL' },
  ])('a missing argument is named: $args', async ({ args, name }) => {
    const { code, stderr } = await run(args)
    expect(code).toBe(2)
    expect(stderr).toBe(`error: missing required argument ${name} (see \`kubectl netpol ${args.join(' ')} --help\`)\n`)
  })

  it.each([
    { topic: 'drill', summary: 'CKA/CKS-style NetworkPolicy exercises on the cluster' },
    { topic: 'scenario', summary: 'Scenario files: a world of namespaces and pods' },
  ])('the $topic topic has its own summary, not a subcommand\'s', async ({ topic, summary }) => {
    const { stdout } = await run([topic, '--help'])
    expect(stdout.split('\n')[0]).toContain(summary)
  })
})

describe('-n with files, as kubectl apply -f', () => {
  it('is the namespace of manifests that name none', async () => {
    const { code, stdout } = await run(['predict', '-f', WORLD, '-n', 'dev', '--port', '80', '-o', 'json', '--all-pods'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).results.map((r: { from: string; to: string }) => `${r.from} -> ${r.to}`)).toEqual(['dev/web -> dev/web'])
  })

  it('prints kubectl\'s "No resources found in NS namespace." on an empty scope, exit 0', async () => {
    const { code, stdout, stderr } = await run(['predict', '-f', NAMESPACED, '-n', 'payments'])
    expect(code).toBe(0)
    expect(stdout).toBe('')
    expect(stderr).toContain('No resources found in payments namespace.\n')
  })

  it('still prints the (empty) report as JSON', async () => {
    const { code, stdout } = await run(['predict', '-f', NAMESPACED, '-n', 'payments', '-o', 'json', '--all-pods'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).results).toEqual([])
  })
})

describe('flag values: one line naming the flag, exit 2', () => {
  it.each([
    { args: ['predict', '-f', WORLD, '--external', '10.0.0.0/8'], error: 'error: --external: invalid address "10.0.0.0/8": expected an IPv4 or IPv6 address (10.0.0.0/8 is a network; an external is one address, e.g. 10.0.0.0)' },
    { args: ['predict', '-f', WORLD, '--external', 'bogus'], error: 'error: --external: invalid address "bogus": expected an IPv4 or IPv6 address' },
    { args: ['probe', '--external', '10.0.0.0/8'], error: 'error: --external: invalid external "10.0.0.0/8": expected IP:PORT, [IPv6]:PORT, optionally /PROTOCOL (10.0.0.0/8 is a network; an external is one address, e.g. 10.0.0.0)' },
    { args: ['probe', '--external', 'bogus'], error: 'error: --external: invalid external "bogus": expected IP:PORT, [IPv6]:PORT, optionally /PROTOCOL' },
    { args: ['predict', '-f', WORLD, '--port', '8o'], error: 'error: --port: no destination in scope declares a port named "8o" (did you mean 80?); declared names: http' },
    { args: ['predict', '-f', WORLD, '--port', '0'], error: 'error: --port: invalid port 0: must be between 1 and 65535' },
    { args: ['predict', '-f', WORLD, '--port', 'HTTP'], error: 'error: --port: invalid port "HTTP": expected a number or a port name (lowercase letters, digits and \'-\', at most 15)' },
    { args: ['predict', '-f', WORLD, '--protocol', 'icmp'], error: 'error: --protocol: invalid protocol "icmp": expected TCP, UDP or SCTP' },
    { args: ['predict', '-f', WORLD, '--from', 'web'], error: 'error: --from: invalid endpoint "web": expected NAMESPACE/NAME (a pod or workload), KIND/NAME, NAMESPACE/* or an IP address' },
    { args: ['predict', '-f', WORLD, '-l', 'a=(b'], error: 'error: --selector: cannot parse label selector "a=(b" at "a=(b"' },
    { args: ['probe', '--timeout', 'soon'], error: 'error: --timeout: invalid duration "soon": use e.g. 30s, 2m or 1h' },
  ])('$args', async ({ args, error }) => {
    const { code, stderr } = await run(args, { KUBECONFIG: '/nonexistent' })
    expect(stderr.split('\n')[0]).toBe(error)
    expect(code).toBe(2)
  })

  it('a declared port name is accepted, and a repeated --port is checked once', async () => {
    const named = JSON.parse((await run(['predict', '-f', WORLD, '--port', 'http', '--to', 'default/web', '-o', 'json', '--all-pods'])).stdout)
    expect(named.results.map((r: { resolvedPort: number }) => r.resolvedPort)).toEqual([8080, 8080])
    const twice = JSON.parse((await run(['predict', '-f', WORLD, '--port', '80', '--port', '80', '-o', 'json', '--all-pods'])).stdout)
    expect(twice.results.map((r: { port: number }) => r.port)).toEqual([80, 80, 80, 80])
  })
})

describe('a kubeconfig whose server is http:// (e.g. kubectl proxy)', () => {
  // A stand-in for `kubectl proxy`: plain HTTP that answers every list with an empty one.
  // The local cluster's API is HTTPS only, so it cannot play this part.
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}'))
  let kubeconfig = ''
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    kubeconfig = file('http-kubeconfig', `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: shop}}]
users: [{name: u, user: {}}]
current-context: c
`)
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('is read over plain HTTP as kubectl does', async () => {
    const { code, stderr } = await run(['predict', '--kubeconfig', kubeconfig])
    expect(stderr).toBe('No resources found in shop namespace.\n')
    expect(code).toBe(0)
  })

  const kubeconfigAt = (name: string, server: string) => file(name, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: c\n`)

  it('that is down is a one-line cluster error, exit 2', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as { port: number }
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const { code, stderr } = await run(['predict', '--kubeconfig', kubeconfigAt('down-kubeconfig', `http://127.0.0.1:${port}`)])
    expect(stderr).toBe(`error: list namespaces: cannot reach the cluster at http://127.0.0.1:${port}: connection refused\n`)
    expect(code).toBe(2)
  })

  it('on a port HTTP clients refuse to dial is a one-line cluster error, exit 2', async () => {
    const { code, stderr } = await run(['predict', '--kubeconfig', kubeconfigAt('bad-port-kubeconfig', 'http://127.0.0.1:1')])
    expect(stderr).toBe('error: list namespaces: cannot reach the cluster at http://127.0.0.1:1: bad port\n')
    expect(code).toBe(2)
  })
})
