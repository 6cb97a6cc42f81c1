// The stand-in's listener, run with this machine's perl on free ports of 127.0.0.1 (the same
// program the stand-in container runs) and dialled by the real checker; and the stand-in manifest's
// safety properties.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkerCommand, type CheckerCheck } from '../../src/probe/checker.js'
import { parseScriptOutput } from '../../src/probe/script.js'
import { LISTENER_PROGRAM, parseListenerStatus, standInPod } from '../../src/probe/stand-in-pod.js'
import { NEVER_READY_GATE } from '../../src/probe/spec.js'

function freePort(): Promise<number> {
  const server = createServer()
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  }))
}

function runChecker(checks: CheckerCheck[]): Promise<string> {
  const [command, ...args] = checkerCommand(checks, { inFlight: 8, perDestination: 8 })
  return new Promise((resolve, reject) => execFile(command, args, { timeout: 20_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))))
}

describe('the stand-in listener', () => {
  let listener: ChildProcess
  let tcp: number
  let udp: number
  let status: ReturnType<typeof parseListenerStatus>

  beforeAll(async () => {
    ;[tcp, udp] = [await freePort(), await freePort()]
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'stand-in-')), 'status')
    listener = spawn('perl', ['-e', LISTENER_PROGRAM, '--', file, `TCP/${tcp}`, `UDP/${udp}`, 'SCTP/9'], { stdio: 'ignore' })
    for (let i = 0; i < 100 && !status; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      try { status = parseListenerStatus(readFileSync(file, 'utf8')) } catch { /* not written yet */ }
    }
  })
  afterAll(() => { listener.kill() })

  it('reports every port it listens on, and the ones it cannot with the error', () => {
    expect([...status!.listening].filter((p) => p !== 'SCTP/9')).toEqual([`TCP/${tcp}`, `UDP/${udp}`])
    // This kernel has no SCTP: the listener says so instead of pretending (elsewhere it listens on SCTP too).
    if (!status!.listening.has('SCTP/9')) expect(status!.unbound.get('SCTP/9')).toMatch(/^(socket|bind): /)
  })

  it('accepts TCP connections and echoes UDP datagrams, so the checker sees both connect', async () => {
    const checks: CheckerCheck[] = [
      { index: 0, mode: 'tcp', host: '127.0.0.1', port: tcp, timeoutMs: 2000 },
      { index: 1, mode: 'echo', host: '127.0.0.1', port: udp, timeoutMs: 2000 },
      { index: 2, mode: 'tcp', host: '127.0.0.1', port: tcp, timeoutMs: 2000 },
    ]
    const outcomes = parseScriptOutput(await runChecker(checks), checks)
    expect(outcomes.map((o) => o.observation)).toEqual(['connected', 'connected', 'connected'])
  })

  it('a status without its end line is not trusted', () => {
    expect(parseListenerStatus('LISTEN TCP/80\n')).toBeUndefined()
  })
})

describe('the stand-in pod', () => {
  const pod = standInPod(
    { destination: 'shop/api-0', namespace: 'shop', labels: { app: 'api' }, ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 5353, protocol: 'UDP' }], nodeName: 'node-1' },
    { runId: 'r1', image: 'img', deadlineSeconds: 300 },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'netpol-run-r1', uid: 'u1' },
  ) as any

  it('carries the destination\'s namespace and labels, the run id, and declares its ports by number and name (never a hostPort)', () => {
    expect(pod.metadata).toMatchObject({ namespace: 'shop', labels: { app: 'api', 'netpol.kubectl.io/run-id': 'r1' } })
    expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 5353, protocol: 'UDP' }])
  })

  it('is never Ready, is controlled by the run\'s owner, ends by itself, and passes Pod Security "restricted"', () => {
    expect(pod.spec.readinessGates).toEqual([{ conditionType: NEVER_READY_GATE }])
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ConfigMap', uid: 'u1', controller: true })])
    expect(pod.spec.activeDeadlineSeconds).toBe(300)
    expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } })
    expect(pod.spec.automountServiceAccountToken).toBe(false)
    // Port 80 as UID 65534: the safe sysctl that "restricted" allows.
    expect(pod.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }])
  })

  it('prefers the destination\'s node, so the same node enforces both', () => {
    expect(pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchFields).toEqual([{ key: 'metadata.name', operator: 'In', values: ['node-1'] }])
  })
})
