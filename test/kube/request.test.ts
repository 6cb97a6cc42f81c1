// The real client (connect) against a local HTTP server that misbehaves on purpose: no cluster
// answers slowly, refuses, or sheds load on demand. Sending one request: a timed-out attempt is
// aborted (the server sees the connection go), transient failures are resent with backoff, and a
// create is resent only when the server cannot have acted on it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { KubeOptions } from '../../src/kube/config.js'
import { connect as connectWithDefaults } from '../../src/kube/connect.js'

/** The real client with the default three resends, but a short backoff. */
const connect = (options: KubeOptions) => connectWithDefaults(options, { retries: 3, backoffMs: 10 })

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const open: Server[] = []
afterEach(async () => { await Promise.all(open.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve) }))) })

async function serve(handler: Handler): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = []
  const server = createServer((request, response) => { requests.push(`${request.method} ${request.url}`); handler(request, response) })
  open.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

function kubeconfig(server: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config')
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: local, user: u}}]
current-context: c
`)
  return file
}

const podList = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [{ metadata: { name: 'web', namespace: 'shop', uid: 'u1' } }] })
const json = (response: ServerResponse, status: number, body: string) => { response.writeHead(status, { 'content-type': 'application/json' }); response.end(body) }
const statusBody = (code: number, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code })

describe('sending API requests', () => {
  it('aborts an attempt that runs past --request-timeout: the server sees the connection close', async () => {
    let closed = 0
    const { url, requests } = await serve((request) => { request.socket.on('close', () => { closed++ }) })
    const client = connect({ kubeconfig: kubeconfig(url), requestTimeout: 0.2 })
    await expect(client.listPods('shop', '')).rejects.toThrow(`list pods: no answer from ${url} within --request-timeout 0.2s`)
    // Each attempt was aborted before the next one started (and the last one too).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(requests.length).toBe(4)
    expect(closed).toBe(4)
  })

  it('resends after 503 and 429 and returns what the server finally answers', async () => {
    const answers = [503, 429]
    const { url, requests } = await serve((_, response) => {
      const status = answers.shift()
      status ? json(response, status, statusBody(status, 'the server is busy')) : json(response, 200, podList)
    })
    const pods = await connect({ kubeconfig: kubeconfig(url) }).listPods('shop', '')
    expect(pods.map((p) => p.metadata.name)).toEqual(['web'])
    expect(requests).toHaveLength(3)
  })

  it('gives up after three resends and says what failed', async () => {
    const { url, requests } = await serve((_, response) => json(response, 500, statusBody(500, 'etcd is unhappy')))
    await expect(connect({ kubeconfig: kubeconfig(url) }).listPods('shop', '')).rejects.toThrow('list pods: etcd is unhappy (HTTP 500)')
    expect(requests).toHaveLength(4)
  })

  it('does not resend a create the server may have acted on (500), but does when it refused it (503)', async () => {
    const discovery = JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['create'] }] })
    let creates = 0
    const failures = [500]
    const { url } = await serve((request, response) => {
      if (request.method === 'GET') return json(response, 200, discovery)
      creates++
      const status = failures.shift()
      status ? json(response, status, statusBody(status, 'try again')) : json(response, 201, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'run', namespace: 'shop', uid: 'u9' } }))
    })
    const client = connect({ kubeconfig: kubeconfig(url) })
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'run', namespace: 'shop' } }
    await expect(client.createObject(manifest)).rejects.toThrow('create configmap shop/run: try again (HTTP 500)')
    expect(creates).toBe(1)
    failures.push(503)
    expect(await client.createObject(manifest)).toEqual({ namespace: 'shop', name: 'run', uid: 'u9' })
    expect(creates).toBe(3)
  })

  it('a refused connection is retried, then reported as a cluster problem (exit 2)', async () => {
    const { url } = await serve(() => {})
    open.splice(0).forEach((s) => s.close())
    await new Promise((resolve) => setTimeout(resolve, 50))
    await expect(connect({ kubeconfig: kubeconfig(url) }).listPods('shop', '')).rejects.toMatchObject({
      message: `list pods: cannot reach the cluster at ${url}: connection refused`, exitCode: 2,
    })
  })

  it('a plain-text error body (an http:// server that wants https) is the one line the user sees', async () => {
    const { url } = await serve((_, response) => { response.writeHead(400, { 'content-type': 'text/plain' }); response.end('Client sent an HTTP request to an HTTPS server.\n') })
    await expect(connect({ kubeconfig: kubeconfig(url) }).listPods('shop', '')).rejects.toThrow(/^list pods: Client sent an HTTP request to an HTTPS server\. \(HTTP 400\)$/)
  })

  it('403 is not retried and names the refusal', async () => {
    const { url, requests } = await serve((_, response) => json(response, 403, statusBody(403, 'pods is forbidden: User "u" cannot list resource "pods"')))
    await expect(connect({ kubeconfig: kubeconfig(url) }).listPods('shop', '')).rejects.toThrow('list pods: permission denied (403): pods is forbidden')
    expect(requests).toHaveLength(1)
  })
})
