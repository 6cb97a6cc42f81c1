// The few things only a real process shows: exit codes as the shell sees them, and signals. Every
// other CLI test runs the commands in-process (in-process.ts).
import { spawn, spawnSync } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { manifestFile } from '../support/manifest-file.js'

const BIN = join(import.meta.dirname, '../../bin/run.js')

// As a user's shell runs it: vitest's NODE_ENV=test would make oclif add development warnings.
const { NODE_ENV: _testEnv, ...ENV } = process.env

function run(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: ENV })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const file = (name: string, text: string) => manifestFile(text, name)

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\nstatus: {podIP: 198.18.1.10}'

describe('exit codes of the real binary', () => {
  it('0 and a JSON report on stdout', () => {
    const { code, stdout } = run(['predict', '-f', file('w.yaml', POD), '--port', '80', '-o', 'json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).matrix).toEqual([{ port: 80, protocol: 'TCP', from: 'x/a', allowed: ['x/a'], denied: [], cniDefined: { 'x/a': ['loopback'] } }])
  })

  it('1 for --strict with a lint warning', () => {
    const ghost = `${POD}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ghost, namespace: x}\nspec: {podSelector: {matchLabels: {app: nothing}}}`
    expect(run(['predict', '-f', file('w.yaml', ghost), '--port', '80', '--strict']).code).toBe(1)
  })

  it('2 for bad input, with one line on stderr and no stack trace', () => {
    const { code, stdout, stderr } = run(['predict', '-f', file('w.yaml', 'kind: Pod\n---\nkind: [unclosed')])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^error: .*w\.yaml, document 1: YAML syntax error/)
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })

  it('2 for a bad flag value, naming the flag', () => {
    const { code, stderr } = run(['probe', '--timeout', 'soon'])
    expect(code).toBe(2)
    expect(stderr).toBe('error: --timeout: invalid duration "soon": use e.g. 30s, 2m or 1h\n')
  })
})

/** A Node.js older than 22.19 on PATH (machines of this project ship Node 20 in /usr/bin), if any. */
function olderNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const node = join(dir, 'node')
    const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim()
    if (version && /^(\d+)\.(\d+)/.test(version)) {
      const [major, minor] = version.split('.').map(Number)
      if (major < 22 || (major === 22 && minor < 19)) return node
    }
  }
  return undefined
}
const OLDER_NODE = olderNode()

describe.runIf(OLDER_NODE)('on a Node.js older than 22.19', () => {
  it.each([['kubectl-netpol', BIN, ['version']], ['kubectl_complete-netpol', join(import.meta.dirname, '../../bin/kubectl_complete-netpol'), ['pre']]])(
    '%s says which Node it needs in one line and exits 2, no stack trace', (_name, bin, args) => {
      const result = spawnSync(OLDER_NODE!, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: ENV })
      expect(result.status).toBe(2)
      expect(result.stderr).toMatch(/^error: kubectl-netpol needs Node\.js 22\.19 or newer \(this is Node\.js \d+\.\d+\.\d+\)[^\n]*\n$/)
      expect(result.stdout).toBe('')
    })
})

describe('signals', () => {
  // An API server that accepts connections and never answers keeps probe waiting on its first request.
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => { sockets.push(socket) })
  afterAll(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })

  it('SIGTERM during a run says it cleans up and exits 143', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const kubeconfig = file('kubeconfig', [
      'apiVersion: v1', 'kind: Config', 'current-context: silent',
      `clusters: [{name: silent, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {}}]', 'contexts: [{name: silent, context: {cluster: silent, user: u}}]',
    ].join('\n'))
    const child = spawn(process.execPath, [BIN, 'probe', '--kubeconfig', kubeconfig, '-n', 'x', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV })
    let stderr = ''
    child.stderr.on('data', (d) => { stderr += d })
    // Wait until the request reached the silent server: the run has started.
    await new Promise<void>((resolve) => server.once('connection', () => resolve()))
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).toContain('SIGTERM: removing what this run created')
    expect(code).toBe(143)
  }, 30_000)
})
