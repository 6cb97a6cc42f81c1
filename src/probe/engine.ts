// Runs probe jobs on a cluster. One probe container per source (a short-lived pod, or an ephemeral
// container in the source pod); each round sends all of a source's checks in one exec, and the
// container runs them concurrently. Results are values: a source whose probe could not start
// yields `ran: false` results, never an exception. Progress is reported through `onEvent`.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { ContainerStatus, KubeClient, WirePod } from '../kube/client.js'
import { RUN_ID_LABEL } from '../model/cluster.js'
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../reconcile/reconcile.js'
import { checkMode, parseScriptOutput, PROBE_SCRIPT, scriptInput, type ScriptCheck } from './script.js'
import {
  ephemeralContainerName, PROBE_CONTAINER, probeEphemeralContainer, probePod, runConfigMap, runObjectName, type RunIdentity,
} from './spec.js'

export type ProbeMode = 'pod' | 'ephemeral'

export type ProbeEvent =
  | { kind: 'starting'; sources: number; mode: ProbeMode }
  | { kind: 'source-ready'; source: string; ready: number; total: number }
  | { kind: 'source-failed'; source: string; reason: string }
  | { kind: 'round'; round: number; checks: number; sources: number }
  | { kind: 'source-probed'; source: string; checks: number }
  | { kind: 'cleaned'; namespaces: number }

export interface ProbeEngineOptions {
  run: RunIdentity
  mode: ProbeMode
  /** Seconds one connection attempt may take. */
  checkTimeout: number
  /** Checks one container runs at the same time. */
  parallelism: number
  /** Seconds a probe container may take to start before its source counts as failed. */
  startTimeout: number
  onEvent?: (event: ProbeEvent) => void
}

export interface ProbeEngine {
  /** Starts a probe container for each source; sources that cannot get one are remembered as failed. */
  prepare(sources: PodEndpoint[]): Promise<void>
  probe(jobs: ProbeJob[]): Promise<ProbeResult[]>
  /** Deletes everything this run created. Safe to call more than once, and after a partial prepare. */
  cleanup(): Promise<void>
}

type Runner = { namespace: string; pod: string; container: string } | { failed: string }

const POLL_MS = 500
const EXEC_CONCURRENCY = 16
const IMAGE_FAILURES = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']
const START_FAILURES = [...IMAGE_FAILURES, 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']

export function createProbeEngine(client: KubeClient, options: ProbeEngineOptions): ProbeEngine {
  const runners = new Map<string, Runner>()
  const touchedNamespaces = new Set<string>()
  const selector = `${RUN_ID_LABEL}=${options.run.runId}`
  const emit = (event: ProbeEvent) => options.onEvent?.(event)
  let round = 0

  const preparePods = async (sources: PodEndpoint[]) => {
    const owners = new Map<string, { name: string; uid: string }>()
    for (const namespace of new Set(sources.map((s) => s.pod.namespace))) {
      touchedNamespaces.add(namespace)
      const owner = await client.createConfigMap(namespace, runConfigMap(namespace, options.run))
      owners.set(namespace, { name: runObjectName(options.run.runId), uid: owner.uid })
    }
    const created = new Map<string, PodEndpoint>()
    await inBatches(sources, EXEC_CONCURRENCY, async (source) => {
      try {
        const pod = await client.createPod(source.pod.namespace, probePod(source, options.run, owners.get(source.pod.namespace)!))
        created.set(`${pod.namespace}/${pod.name}`, source)
      } catch (error) {
        fail(source.key, `could not create the probe pod: ${(error as Error).message}`)
      }
    })
    await waitForContainers(created, (pod) => pod.status?.containerStatuses?.find((c) => c.name === PROBE_CONTAINER), PROBE_CONTAINER)
  }

  const prepareEphemeral = async (sources: PodEndpoint[]) => {
    const container = ephemeralContainerName(options.run.runId)
    const added = new Map<string, PodEndpoint>()
    await inBatches(sources, EXEC_CONCURRENCY, async (source) => {
      try {
        await client.addEphemeralContainer(source.pod.namespace, source.pod.name, probeEphemeralContainer(options.run))
        added.set(source.key, source)
      } catch (error) {
        fail(source.key, `could not add the ephemeral probe container: ${(error as Error).message}`)
      }
    })
    await waitForContainers(added, (pod) => pod.status?.ephemeralContainerStatuses?.find((c) => c.name === container), container)
  }

  const fail = (source: string, reason: string) => {
    runners.set(source, { failed: reason })
    emit({ kind: 'source-failed', source, reason })
  }

  /** Polls the pods until each container runs or fails; `pending` maps namespace/pod to its source. */
  const waitForContainers = async (pending: Map<string, PodEndpoint>, statusOf: (pod: WirePod) => ContainerStatus | undefined, container: string) => {
    const deadline = Date.now() + options.startTimeout * 1000
    const total = pending.size
    let ready = 0
    const labelSelector = options.mode === 'pod' ? selector : undefined
    while (pending.size > 0) {
      const namespaces = new Set([...pending.values()].map((s) => s.pod.namespace))
      for (const namespace of namespaces) {
        const pods = labelSelector ? await client.listPods(namespace, labelSelector) : await client.listPods(namespace, '')
        for (const pod of pods) {
          const key = `${pod.metadata.namespace}/${pod.metadata.name}`
          const source = pending.get(key)
          if (!source) continue
          const state = startState(pod, statusOf(pod))
          if (state === 'running') {
            pending.delete(key)
            runners.set(source.key, { namespace: pod.metadata.namespace, pod: pod.metadata.name, container })
            emit({ kind: 'source-ready', source: source.key, ready: ++ready, total })
          } else if (state !== 'waiting') {
            pending.delete(key)
            fail(source.key, state.failed)
          }
        }
      }
      if (pending.size === 0) break
      if (Date.now() > deadline) {
        const pods = await Promise.all([...namespaces].map((ns) => client.listPods(ns, labelSelector ?? '')))
        for (const [key, source] of pending) {
          const pod = pods.flat().find((p) => `${p.metadata.namespace}/${p.metadata.name}` === key)
          fail(source.key, `probe container not running after ${options.startTimeout}s: ${pod ? pendingReason(pod) : 'pod not found'}`)
        }
        break
      }
      await sleep(POLL_MS)
    }
  }

  const probeSource = async (source: string, jobs: ProbeJob[]): Promise<ProbeResult[]> => {
    const runner = runners.get(source) ?? { failed: 'no probe container was started for this source' }
    if ('failed' in runner) return jobs.map((job) => ({ jobId: job.id, ran: false, reason: 'pod-failed', detail: runner.failed }))
    const checks: ScriptCheck[] = []
    const results: ProbeResult[] = []
    jobs.forEach((job, index) => {
      const mode = checkMode(job.protocol, job.udpResponder)
      if (mode) checks.push({ index, mode, host: job.target.host, port: job.target.port })
      else results.push({ jobId: job.id, ran: false, reason: 'unverifiable', detail: 'UDP port without a known responder' })
    })
    if (checks.length === 0) return results
    const timeoutMs = (Math.ceil(checks.length / options.parallelism) * (options.checkTimeout + 1) + 20) * 1000
    const command = ['bash', '-c', PROBE_SCRIPT, 'netpol-probe', String(options.checkTimeout), String(options.parallelism), scriptInput(checks)]
    const exec = await client.exec(runner.namespace, runner.pod, runner.container, command, timeoutMs)
    const outcomes = new Map(parseScriptOutput(exec.stdout, checks).map((o) => [o.index, o]))
    for (const check of checks) {
      const job = jobs[check.index]
      const outcome = outcomes.get(check.index)
      results.push(outcome
        ? { jobId: job.id, ran: true, observation: outcome.observation, elapsedMs: outcome.elapsedMs, detail: outcome.detail }
        : { jobId: job.id, ran: false, reason: 'not-probed', detail: `the probe container gave no result: ${exec.error ?? (exec.stderr.trim() || `exit code ${exec.exitCode}`)}` })
    }
    emit({ kind: 'source-probed', source, checks: checks.length })
    return results
  }

  return {
    async prepare(sources) {
      emit({ kind: 'starting', sources: sources.length, mode: options.mode })
      if (options.mode === 'pod') await preparePods(sources)
      else await prepareEphemeral(sources)
    },
    async probe(jobs) {
      const bySource = new Map<string, ProbeJob[]>()
      for (const job of jobs) bySource.set(job.from.key, [...(bySource.get(job.from.key) ?? []), job])
      emit({ kind: 'round', round: ++round, checks: jobs.length, sources: bySource.size })
      const results: ProbeResult[] = []
      await inBatches([...bySource], EXEC_CONCURRENCY, async ([source, sourceJobs]) => { results.push(...await probeSource(source, sourceJobs)) })
      return results
    },
    async cleanup() {
      if (options.mode === 'ephemeral') return
      for (const namespace of touchedNamespaces) await client.deleteLabelled(namespace, selector)
      emit({ kind: 'cleaned', namespaces: touchedNamespaces.size })
      touchedNamespaces.clear()
    },
  }
}

type StartState = 'running' | 'waiting' | { failed: string }

function startState(pod: WirePod, status: ContainerStatus | undefined): StartState {
  if (status?.state?.running) return 'running'
  const waiting = status?.state?.waiting
  if (waiting?.reason && START_FAILURES.includes(waiting.reason)) {
    const what = IMAGE_FAILURES.includes(waiting.reason) ? 'the probe image could not be pulled' : 'the probe container could not start'
    return { failed: `${what} (${waiting.reason}: ${waiting.message ?? ''})`.replace(/: \)$/, ')') }
  }
  if (status?.state?.terminated) return { failed: `the probe container exited (${status.state.terminated.reason ?? 'terminated'})` }
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return { failed: `the probe pod ended (${pod.status.reason ?? pod.status.phase})` }
  return 'waiting'
}

function pendingReason(pod: WirePod): string {
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')
  if (unscheduled) return `stuck Pending, not scheduled: ${unscheduled.message ?? unscheduled.reason}`
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting
  return `stuck ${pod.status?.phase ?? 'Pending'}${waiting?.reason ? ` (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})` : ''}`
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(Array.from({ length: Math.min(size, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
  }))
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
