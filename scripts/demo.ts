// npm run demo: kubectl netpol probe on the example app (scenarios/ci/example-app.yaml) in the local
// test cluster (test/cluster), which it brings up when it is not running. Then, when asked (a
// prompt on a terminal, --yes or NETPOL_DEMO_YES=1 elsewhere), the same probe with the enforcer
// switched off, to show what an unenforced cluster looks like. Removes the app and restores the
// enforcer on success, failure and Ctrl-C; stops the cluster too when it started it.
import * as k8s from '@kubernetes/client-node'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'

const ROOT = join(import.meta.dirname, '..')
const CLUSTER_DIR = process.env.NETPOL_CLUSTER_DIR ?? join(ROOT, '.cluster')
const KUBECONFIG = join(CLUSTER_DIR, 'kubeconfig')
const APP = 'scenarios/ci/example-app.yaml'
const EXPECTATIONS = 'scenarios/ci/expectations.yaml'
const NAMESPACE = 'netpol-demo'
const ROLLOUT_TIMEOUT_MS = 180_000
const DELETE_TIMEOUT_MS = 120_000

const USAGE = `usage: npm run demo [-- --yes] [-- --keep-cluster]
  --yes           also run the unenforced part without asking (or NETPOL_DEMO_YES=1)
  --keep-cluster  leave the test cluster running when the demo started it`

const INSTEAD = `Instead, with a cluster whose CNI enforces NetworkPolicy (kubectl's current context):
  kubectl apply -f ${APP}
  npx kubectl-netpol probe -n ${NAMESPACE} --expect ${EXPECTATIONS}
  kubectl delete namespace ${NAMESPACE}
or, with Docker and kind (>= 0.24): scripts/kind-smoke.sh`

class DemoFailed extends Error {}

let interrupted = false
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)
const say = (text: string) => console.log(`\n${bold(`demo: ${text}`)}`)

function ensureNotInterrupted(): void {
  if (interrupted) throw new DemoFailed('interrupted')
}

/** Runs a command with the terminal attached; resolves to its exit code. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  })
}

async function mustRun(what: string, command: string, args: string[]): Promise<void> {
  const code = await run(command, args)
  ensureNotInterrupted()
  if (code !== 0) throw new DemoFailed(`${what} failed (exit ${code})`)
}

const cluster = (script: 'up' | 'down' | 'status', ...args: string[]) => run('bash', [`test/cluster/${script}.sh`, ...args])
/** The cluster's enforcer mode, as test/cluster/up.sh records it (kube-router when it has not). */
const enforcer = () => (existsSync(join(CLUSTER_DIR, 'enforcer')) ? readFileSync(join(CLUSTER_DIR, 'enforcer'), 'utf8').trim() : 'kube-router')

function probe(mode: string): Promise<number> {
  const hint = mode === 'none' ? [] : ['--enforcer-hint', mode]
  return run(process.execPath, ['bin/run.js', 'probe', '--kubeconfig', KUBECONFIG, '-n', NAMESPACE, '--expect', EXPECTATIONS, ...hint])
}

/** Polls every second until check gives a value; a Ctrl-C ends it unless it is part of the clean-up. */
async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, interruptible = true): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (interruptible) ensureNotInterrupted()
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new DemoFailed(`${what}: not done within ${timeoutMs / 1000}s`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

async function namespaceExists(core: k8s.CoreV1Api): Promise<boolean> {
  try {
    await core.readNamespace({ name: NAMESPACE })
    return true
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false
    throw error
  }
}

async function deployApp(kc: k8s.KubeConfig, state: DemoState): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api)
  if (await namespaceExists(core)) {
    throw new DemoFailed(`namespace ${NAMESPACE} exists already in this cluster: delete it first (the demo removes only what it deployed)`)
  }
  state.deployed = true
  await mustRun(`applying ${APP}`, process.execPath, ['test/cluster/lib/apply.mjs', KUBECONFIG, APP])
  const apps = kc.makeApiClient(k8s.AppsV1Api)
  await poll('the example app rollout', ROLLOUT_TIMEOUT_MS, async () => {
    const { items } = await apps.listNamespacedDeployment({ namespace: NAMESPACE })
    return items.length > 0 && items.every((d) => d.status?.readyReplicas === d.spec?.replicas) ? true : undefined
  })
}

async function removeApp(kc: k8s.KubeConfig): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api)
  if (!(await namespaceExists(core))) return
  say(`removing namespace ${NAMESPACE}`)
  await core.deleteNamespace({ name: NAMESPACE })
  await poll(`deleting namespace ${NAMESPACE}`, DELETE_TIMEOUT_MS, async () => ((await namespaceExists(core)) ? undefined : true), false)
}

async function wantsUnenforced(yes: boolean): Promise<boolean> {
  if (yes || process.env.NETPOL_DEMO_YES === '1') return true
  if (!process.stdin.isTTY) {
    say('not on a terminal: skipping the unenforced part (npm run demo -- --yes runs it)')
    return false
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout })
  try {
    const answer = await prompt.question('\nSwitch the enforcer off for a minute to see what an unenforced cluster looks like? [y/N] ')
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    prompt.close()
  }
}

function machineCanRunTheCluster(): string | undefined {
  if (process.platform !== 'linux') return `this machine runs ${process.platform}`
  if (process.getuid?.() !== 0) return `you are not root (uid ${process.getuid?.()})`
  return undefined
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  const unknown = argv.find((a) => a !== '--yes' && a !== '--keep-cluster')
  if (unknown) {
    console.error(`demo: unknown argument ${unknown}\n${USAGE}`)
    return 2
  }
  const why = machineCanRunTheCluster()
  if (why) {
    console.error(`demo: the local test cluster needs Linux and root, and ${why}.\n${INSTEAD}`)
    return 2
  }
  process.on('SIGINT', () => { interrupted = true })
  process.on('SIGTERM', () => { interrupted = true })

  const state: DemoState = { startedCluster: false }
  const code = await showcase(state, argv.includes('--yes'))
  const clean = await cleanUp(state, !argv.includes('--keep-cluster'))
  return code || (clean ? 0 : 1)
}

interface DemoState {
  startedCluster: boolean
  /** The enforcer mode to switch back to, once the demo has switched it. */
  restoreEnforcer?: string
  kc?: k8s.KubeConfig
  /** The demo has applied the example app (and so owns namespace netpol-demo). */
  deployed?: boolean
}

async function showcase(state: DemoState, yes: boolean): Promise<number> {
  try {
    say(`step 1/4: the local test cluster (${CLUSTER_DIR})`)
    if (await cluster('status') !== 0) {
      say('it is not running: bringing it up (the first time builds Kubernetes from source, which takes a while)')
      state.startedCluster = true
      await mustRun('npm run cluster:up', 'bash', ['test/cluster/up.sh', '--enforcer', 'kube-router'])
    }
    if (enforcer() === 'none') {
      say('NetworkPolicies are not enforced right now: switching kube-router on for the demo')
      state.restoreEnforcer = 'none'
      await mustRun('switching the enforcer', 'bash', ['test/cluster/up.sh', '--enforcer', 'kube-router'])
    }
    const enforced = enforcer()
    state.kc = new k8s.KubeConfig()
    state.kc.loadFromFile(KUBECONFIG)

    say(`step 2/4: deploying the example app with its NetworkPolicies (${APP})`)
    await deployApp(state.kc, state)

    say(`step 3/4: kubectl netpol probe -n ${NAMESPACE} --expect ${EXPECTATIONS} (enforcer: ${enforced})`)
    const enforcedExit = await probe(enforced)
    ensureNotInterrupted()
    if (enforcedExit !== 0) throw new DemoFailed(`the probe found problems on an enforcing cluster (exit ${enforcedExit}); see the report above`)
    say('every connection behaved as the policies say: exit 0')

    if (await wantsUnenforced(yes)) {
      say('step 4/4: the same probe with the enforcer off (test/cluster/up.sh --enforcer none)')
      state.restoreEnforcer ??= enforced
      await mustRun('switching the enforcer off', 'bash', ['test/cluster/up.sh', '--enforcer', 'none'])
      const unenforcedExit = await probe('none')
      ensureNotInterrupted()
      if (unenforcedExit !== 1) throw new DemoFailed(`expected exit 1 (under-enforced connections) with the enforcer off, got ${unenforcedExit}`)
      say('with nothing enforcing them, the denied connections go through: "under-enforced", exit 1')
    }
    return 0
  } catch (error) {
    console.error(`\ndemo: ${error instanceof DemoFailed ? error.message : (error as Error).stack}`)
    return interrupted ? 130 : 1
  }
}

/** Restores the enforcer, removes the app and stops a cluster the demo started; false when any of it failed. */
async function cleanUp(state: DemoState, mayStopCluster: boolean): Promise<boolean> {
  let clean = true
  if (state.restoreEnforcer) {
    say(`restoring the enforcer: ${state.restoreEnforcer}`)
    if (await cluster('up', '--enforcer', state.restoreEnforcer) !== 0) {
      console.error(`demo: could not restore the enforcer: npm run cluster:up -- --enforcer ${state.restoreEnforcer}`)
      clean = false
    }
  }
  try {
    if (state.kc && state.deployed) await removeApp(state.kc)
  } catch (error) {
    console.error(`demo: removing namespace ${NAMESPACE} failed: ${(error as Error).message}; delete it by hand`)
    clean = false
  }
  if (state.startedCluster && mayStopCluster) {
    say('stopping the test cluster the demo started (npm run demo -- --keep-cluster keeps it)')
    if (await cluster('down') !== 0) {
      console.error('demo: npm run cluster:down failed')
      clean = false
    }
  }
  return clean
}

process.exitCode = await main(process.argv.slice(2))
