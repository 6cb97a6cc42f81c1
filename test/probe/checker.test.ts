// The in-container checker, run with this machine's perl against servers on 127.0.0.1: the same
// program the probe container runs (it uses only perl-base modules), so these are its real sockets.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkerCommand, checkerLag, checkerNeighbours, type CheckerCheck, type CheckerLimits } from '../../src/probe/checker.js'
import { parseScriptOutput, type CheckOutcome } from '../../src/probe/script.js'

const HOST = '127.0.0.1'

function runChecker(checks: CheckerCheck[], limits: CheckerLimits = { inFlight: 16, perDestination: 4 }): Promise<{ stdout: string; wallMs: number }> {
  const [command, ...args] = checkerCommand(checks, limits)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, stdout) => error ? reject(error) : resolve({ stdout, wallMs: performance.now() - started }))
  })
}

async function outcomes(checks: CheckerCheck[], limits?: CheckerLimits): Promise<Map<number, CheckOutcome>> {
  const { stdout } = await runChecker(checks, limits)
  return new Map(parseScriptOutput(stdout, checks).map((o) => [o.index, o]))
}

function listen<T extends Server>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, HOST, () => resolve((server.address() as { port: number }).port)))
}

function bindUdp(socket: UdpSocket): Promise<number> {
  return new Promise((resolve) => socket.bind(0, HOST, () => resolve(socket.address().port)))
}

describe('the in-container checker', () => {
  const closers: Array<() => void> = []
  let tcpPort: number
  let closedPort: number
  let echoPort: number
  let silentUdpPort: number
  let backlogFullPort: number
  let backlogListener: ChildProcess

  beforeAll(async () => {
    const tcp = createServer((socket) => socket.end())
    tcpPort = await listen(tcp)
    const closed = createServer()
    closedPort = await listen(closed)
    await new Promise((resolve) => closed.close(resolve))
    const echo = createSocket('udp4')
    echo.on('message', (message, from) => echo.send(message, from.port, from.address))
    echoPort = await bindUdp(echo)
    const silent = createSocket('udp4')
    silentUdpPort = await bindUdp(silent)
    // A listener that never accepts, with a backlog of one that a first connection fills: later
    // SYNs are dropped, so a connect never completes, like a server whose accept queue overflows.
    backlogListener = spawn('perl', ['-MSocket', '-e',
      'socket(my $s, PF_INET, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_in(0, inet_aton("127.0.0.1"))) or die; listen($s, 0) or die; $| = 1; print((unpack_sockaddr_in(getsockname($s)))[0], "\\n"); sleep 60'])
    backlogFullPort = await new Promise<number>((resolve) => backlogListener.stdout!.once('data', (data) => resolve(Number(String(data).trim()))))
    const filler: Socket = connect(backlogFullPort, HOST)
    await new Promise((resolve) => filler.once('connect', resolve))
    closers.push(() => tcp.close(), () => echo.close(), () => silent.close(), () => filler.destroy(), () => backlogListener.kill())
  })
  afterAll(() => { for (const close of closers) close() })

  it('a TCP connect to a listening port is connected', async () => {
    const result = await outcomes([{ index: 0, mode: 'tcp', host: HOST, port: tcpPort, timeoutMs: 2000 }])
    expect(result.get(0)).toMatchObject({ observation: 'connected' })
  })

  it('a closed port answers with a reset: refused, not a timeout', async () => {
    const result = await outcomes([{ index: 0, mode: 'tcp', host: HOST, port: closedPort, timeoutMs: 2000 }])
    expect(result.get(0)?.observation).toBe('refused')
  })

  it('a connect that gets no answer is a timeout, reported no earlier than its own deadline', async () => {
    const result = await outcomes([{ index: 0, mode: 'tcp', host: HOST, port: backlogFullPort, timeoutMs: 400 }])
    expect(result.get(0)?.observation).toBe('timeout')
    expect(result.get(0)!.elapsedMs).toBeGreaterThanOrEqual(400)
  })

  it('a UDP echo is connected only when the payload comes back; silence is a timeout; a port unreachable is refused', async () => {
    const result = await outcomes([
      { index: 0, mode: 'echo', host: HOST, port: echoPort, timeoutMs: 1000 },
      { index: 1, mode: 'echo', host: HOST, port: silentUdpPort, timeoutMs: 300 },
      { index: 2, mode: 'echo', host: HOST, port: closedPort, timeoutMs: 1000 },
    ])
    expect([0, 1, 2].map((i) => result.get(i)?.observation)).toEqual(['connected', 'timeout', 'refused'])
  })

  it('a DNS query is connected when an answer with its query id comes back, a timeout when none does', async () => {
    // The echo server sends the query back unchanged: same id, which is all the path needs to prove.
    const result = await outcomes([
      { index: 0, mode: 'dns', host: HOST, port: echoPort, timeoutMs: 1000 },
      { index: 1, mode: 'dns', host: HOST, port: silentUdpPort, timeoutMs: 300 },
    ])
    expect([0, 1].map((i) => result.get(i)?.observation)).toEqual(['connected', 'timeout'])
  })

  it('SCTP on a kernel without SCTP is an error naming the cause, never a timeout', async () => {
    const result = await outcomes([{ index: 0, mode: 'sctp', host: HOST, port: closedPort, timeoutMs: 1000 }])
    expect(result.get(0)?.observation).not.toBe('timeout')
    if (result.get(0)?.observation === 'error') expect(result.get(0)?.detail).toMatch(/SCTP: Protocol not supported by this kernel/)
  })

  it('a name is resolved before the connect; a name that does not resolve is a DNS failure', async () => {
    const result = await outcomes([
      { index: 0, mode: 'tcp', host: 'localhost', port: tcpPort, timeoutMs: 2000 },
      { index: 1, mode: 'tcp', host: 'no-such-name.invalid', port: 80, timeoutMs: 1000 },
    ])
    expect(result.get(0)?.observation).toBe('connected')
    expect(result.get(1)?.observation).toBe('dns-failure')
  })

  it('a queued check\'s clock starts when its connect starts: one destination at a time, each still gets its whole timeout', async () => {
    const checks = [0, 1, 2].map((index): CheckerCheck => ({ index, mode: 'echo', host: HOST, port: silentUdpPort, timeoutMs: 300 }))
    const { stdout, wallMs } = await runChecker(checks, { inFlight: 16, perDestination: 1 })
    const result = parseScriptOutput(stdout, checks)
    expect(result.map((o) => o.observation)).toEqual(['timeout', 'timeout', 'timeout'])
    for (const outcome of result) expect(outcome.elapsedMs).toBeLessThan(600)
    expect(wallMs).toBeGreaterThanOrEqual(900)
  })

  it('slow checks do not slow the clock of a fast one running beside them', async () => {
    const slow = Array.from({ length: 20 }, (_, index): CheckerCheck => ({ index, mode: 'echo', host: HOST, port: silentUdpPort, timeoutMs: 1500 }))
    const fast: CheckerCheck = { index: 20, mode: 'tcp', host: HOST, port: tcpPort, timeoutMs: 1500 }
    const result = await outcomes([...slow, fast], { inFlight: 32, perDestination: 32 })
    expect(result.get(20)?.observation).toBe('connected')
    expect(result.get(20)!.elapsedMs).toBeLessThan(1000)
  })

  it('prints one line per check, then how late it woke at worst, what it saw of the neighbour table, then the end marker', async () => {
    const checks = [0, 1].map((index): CheckerCheck => ({ index, mode: 'tcp', host: HOST, port: tcpPort, timeoutMs: 1000 }))
    const { stdout } = await runChecker(checks)
    expect(stdout.trim().split('\n').map((line) => line.split(' ')[0])).toEqual(['NETPOL', 'NETPOL', 'NETPOL-LAG', 'NETPOL-NEIGH', 'NETPOL-DONE'])
    expect(checkerLag(stdout)).toBeGreaterThanOrEqual(0)
    // Loopback has no neighbour entries to miss.
    expect(checkerNeighbours(stdout)).toEqual({ missing: 0, evicted: 0 })
  })
})

/**
 * A network namespace of its own (unshare: a user and a network namespace, no root needed where the
 * kernel allows it) with one veth link, 10.99.0.1/24, whose peer answers nothing, and a route to
 * 10.100.0.0/16 through a gateway on it that answers nothing either: every connect there waits for
 * an ARP answer that never comes, as on a node whose neighbour table is full.
 */
const LINK_SETUP = [
  'ip link add v0 type veth peer name v1', 'ip addr add 10.99.0.1/24 dev v0', 'ip link set v0 up', 'ip link set v1 up',
  'ip route add 10.100.0.0/16 via 10.99.0.254',
].join(' && ')
const canUnshare = spawnSync('unshare', ['-rn', 'sh', '-c', LINK_SETUP]).status === 0

function runCheckerOnSilentLink(checks: CheckerCheck[]): Promise<string> {
  const [command, ...args] = checkerCommand(checks, { inFlight: 16, perDestination: 4 })
  return new Promise((resolve, reject) => {
    execFile('unshare', ['-rn', 'sh', '-c', `${LINK_SETUP} && exec "$@"`, 'sh', command, ...args], { timeout: 30_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

describe.runIf(canUnshare)('the checker on a link where nothing answers ARP (its own network namespace)', () => {
  it('a connect whose next hop never resolved is unresolved, naming the hop: the host itself, or the gateway of its route', async () => {
    const checks: CheckerCheck[] = [
      { index: 0, mode: 'tcp', host: '10.99.0.2', port: 80, timeoutMs: 1500 },
      { index: 1, mode: 'tcp', host: '10.100.0.5', port: 80, timeoutMs: 1500 },
    ]
    const stdout = await runCheckerOnSilentLink(checks)
    const result = new Map(parseScriptOutput(stdout, checks).map((o) => [o.index, o]))
    expect(result.get(0)).toMatchObject({ observation: 'unresolved', detail: expect.stringMatching(/^no ARP answer from 10\.99\.0\.2:/) })
    expect(result.get(1)).toMatchObject({ observation: 'unresolved', detail: expect.stringMatching(/^no ARP answer from 10\.99\.0\.254:/) })
    // The entries exist (incomplete): the node made them, so this is no sign of a full table.
    expect(checkerNeighbours(stdout)).toEqual({ missing: 0, evicted: 0 })
  })
})
