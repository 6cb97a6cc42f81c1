// An in-memory KubeClient for unit tests of the logic above the client, and for the faults a real
// cluster cannot produce on demand (a list that fails once, an image that never pulls, a pod that
// never schedules, a missing permission). Objects are plain wire JSON; what pods do over time,
// what exec prints and which calls fail are scripted by the test. The e2e suite (test/e2e/) stays
// the proof that the product works against a real cluster.
import type {
  AccessAttributes, ExecResult, ExecTarget, KubeClient, LabelledObject, ListedKind, ObjectMetadata, ObjectRef, WireObject, WirePod,
} from '../../src/kube/client.js'
import { TransientClusterError } from '../../src/kube/errors.js'
import { ClusterError } from '../../src/model/errors.js'
import { parseLabelSelector } from '../../src/evaluate/scope.js'
import { compileSelector } from '../../src/evaluate/selector.js'

type Method = keyof KubeClient
type Status = NonNullable<WirePod['status']>

export interface ExecCall extends ExecTarget {
  command: string[]
}

export class FakeKube implements KubeClient {
  /** Every stored object, by kind/namespace/name. */
  readonly objects = new Map<string, WireObject>()
  /** Every call, in order, with its arguments. */
  readonly calls: Array<{ method: Method; args: unknown[] }> = []
  readonly execs: ExecCall[] = []
  /** Permissions the current user lacks, as `verb resource[/subresource] in namespace`. */
  readonly denied = new Set<string>()
  /** A pod's status at each look (listPods); `looks` counts the lists that saw it before. Default: running and Ready. */
  podStatus: (pod: WireObject, looks: number) => Status = () => runningStatus()
  /** What an exec prints. Default: nothing (the script gave no result). */
  execResult: (call: ExecCall) => ExecResult = () => ({ stdout: '', stderr: '', exitCode: 0 })
  /** Reads of a deleted namespace that still find it (terminating), before it is gone. */
  namespaceTerminatingReads = 0
  /** Reads of a new namespace's default service account that do not find it yet. Until it exists, pods in that namespace are refused, as by the API server. */
  serviceAccountDelayReads = 0

  private readonly faults: Array<{ method: Method; matches: (args: unknown[]) => boolean; error: Error; remaining: number }> = []
  private readonly looks = new Map<string, number>()
  private readonly terminating = new Map<string, number>()
  private readonly serviceAccountsDue = new Map<string, number>()
  private serial = 0

  constructor(readonly namespace = 'default') {}

  /** The next `times` calls of `method` throw `error`. */
  failNext(method: Method, error: Error, times = 1): this {
    return this.failWhen(method, () => true, error, times)
  }

  /** The next `times` calls of `method` whose arguments `matches` accepts throw `error`. */
  failWhen(method: Method, matches: (args: unknown[]) => boolean, error: Error, times = 1): this {
    this.faults.push({ method, matches, error, remaining: times })
    return this
  }

  /** A failure worth retrying, as the real client reports it once its own retries are spent. */
  static transient(message = 'list pods: the connection to https://127.0.0.1:6443 failed (ECONNRESET)'): TransientClusterError {
    return new TransientClusterError(message, false)
  }

  add(...manifests: WireObject[]): this {
    for (const manifest of manifests) this.store(structuredClone(manifest))
    return this
  }

  ofKind(kind: string): WireObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind)
  }

  async defaultNamespace(): Promise<string> {
    this.record('defaultNamespace', [])
    return this.namespace
  }

  async listObjects(kind: ListedKind, scope: { namespace?: string; labelSelector?: string } = {}): Promise<WireObject[]> {
    this.record('listObjects', [kind, scope])
    return this.select(kind, scope.namespace, scope.labelSelector).map((o) => structuredClone(o))
  }

  async createObject(manifest: WireObject): Promise<ObjectRef> {
    this.record('createObject', [manifest])
    const object = structuredClone(manifest)
    if (!object.metadata.name) object.metadata.name = `${object.metadata.generateName ?? ''}${(++this.serial).toString(36).padStart(5, '0')}`
    if (this.objects.has(keyOf(object))) throw statusError(`create ${describe(object)}: already exists (HTTP 409)`, 409)
    if (object.kind === 'Pod') this.admitPod(object)
    this.store(object)
    if (object.kind === 'Namespace') this.serviceAccountsDue.set(object.metadata.name!, this.serviceAccountDelayReads)
    return refOf(object)
  }

  async replaceObject(manifest: WireObject): Promise<void> {
    this.record('replaceObject', [manifest])
    const existing = this.objects.get(keyOf(manifest))
    if (!existing) throw statusError(`replace ${describe(manifest)}: not found (HTTP 404)`, 404)
    this.objects.set(keyOf(manifest), { ...structuredClone(manifest), metadata: { ...manifest.metadata, uid: existing.metadata.uid } })
  }

  async deleteObject(ref: WireObject): Promise<void> {
    this.record('deleteObject', [ref])
    if (!this.objects.has(keyOf(ref))) return
    if (ref.kind !== 'Namespace') return void this.objects.delete(keyOf(ref))
    const name = ref.metadata.name!
    for (const [key, object] of this.objects) if (object.metadata.namespace === name) this.objects.delete(key)
    if (this.namespaceTerminatingReads > 0) this.terminating.set(name, this.namespaceTerminatingReads)
    else this.objects.delete(keyOf(ref))
  }

  async patchLabels(ref: WireObject, labels: Record<string, string | null>): Promise<void> {
    this.record('patchLabels', [ref, labels])
    const object = this.objects.get(keyOf(ref))
    if (!object) throw statusError(`label ${describe(ref)}: not found (HTTP 404)`, 404)
    const merged = { ...object.metadata.labels }
    for (const [key, value] of Object.entries(labels)) {
      if (value === null) delete merged[key]
      else merged[key] = value
    }
    object.metadata.labels = merged
  }

  async readMetadata(ref: WireObject): Promise<ObjectMetadata | undefined> {
    this.record('readMetadata', [ref])
    if (ref.kind === 'ServiceAccount') this.serviceAccountRead(ref.metadata.namespace!)
    const object = this.objects.get(keyOf(ref))
    if (!object) return undefined
    const reads = this.terminating.get(ref.metadata.name!)
    if (ref.kind === 'Namespace' && reads !== undefined) {
      if (reads <= 0) {
        this.terminating.delete(ref.metadata.name!)
        this.objects.delete(keyOf(ref))
        return undefined
      }
      this.terminating.set(ref.metadata.name!, reads - 1)
    }
    return { labels: { ...object.metadata.labels }, deleting: reads !== undefined }
  }

  async findLabelled(labelSelector: string): Promise<LabelledObject[]> {
    this.record('findLabelled', [labelSelector])
    return (['Pod', 'ConfigMap', 'Deployment'] as const).flatMap((kind) => this.select(kind, undefined, labelSelector)
      .map((o) => ({ ...refOf(o), kind, labels: { ...o.metadata.labels } })))
  }

  async deleteLabelled(namespace: string, labelSelector: string): Promise<void> {
    this.record('deleteLabelled', [namespace, labelSelector])
    for (const kind of ['Pod', 'Deployment', 'ConfigMap']) for (const object of this.select(kind, namespace, labelSelector)) this.objects.delete(keyOf(object))
  }

  async listPods(namespace: string | undefined, labelSelector: string): Promise<WirePod[]> {
    this.record('listPods', [namespace, labelSelector])
    return this.select('Pod', namespace, labelSelector || undefined).map((pod) => {
      const key = keyOf(pod)
      const looks = this.looks.get(key) ?? 0
      this.looks.set(key, looks + 1)
      return { ...structuredClone(pod), status: this.podStatus(pod, looks) } as unknown as WirePod
    })
  }

  async addEphemeralContainer(namespace: string, pod: string, container: object): Promise<void> {
    this.record('addEphemeralContainer', [namespace, pod, container])
    const object = this.objects.get(`Pod/${namespace}/${pod}`)
    if (!object) throw statusError(`add ephemeral container to ${namespace}/${pod}: not found (HTTP 404)`, 404)
    const spec = (object.spec ??= {}) as { ephemeralContainers?: object[] }
    spec.ephemeralContainers = [...(spec.ephemeralContainers ?? []), container]
  }

  async exec(target: ExecTarget, command: string[], timeoutMs: number): Promise<ExecResult> {
    this.record('exec', [target, command, timeoutMs])
    const call = { ...target, command }
    this.execs.push(call)
    return this.execResult(call)
  }

  async canI(attributes: AccessAttributes): Promise<boolean> {
    this.record('canI', [attributes])
    const { verb, resource, subresource, group, namespace } = attributes
    return !this.denied.has(`${verb} ${resource}${group ? `.${group}` : ''}${subresource ? `/${subresource}` : ''} in ${namespace}`)
  }

  private record(method: Method, args: unknown[]): void {
    this.calls.push({ method, args })
    const fault = this.faults.find((f) => f.method === method && f.remaining > 0 && f.matches(args))
    if (!fault) return
    fault.remaining--
    throw fault.error
  }

  /** The default service account of a namespace this fake created appears after `serviceAccountDelayReads` reads. */
  private serviceAccountRead(namespace: string): void {
    const due = this.serviceAccountsDue.get(namespace)
    if (due === undefined) return
    if (due > 0) return void this.serviceAccountsDue.set(namespace, due - 1)
    this.serviceAccountsDue.delete(namespace)
    this.store({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } })
  }

  private admitPod(pod: WireObject): void {
    const namespace = pod.metadata.namespace!
    if (this.serviceAccountsDue.has(namespace)) {
      throw statusError(`create ${describe(pod)}: pods "${pod.metadata.name}" is forbidden: error looking up service account ${namespace}/default (HTTP 403)`, 403)
    }
  }

  private store(object: WireObject): void {
    object.metadata.uid ??= `uid-${++this.serial}`
    this.objects.set(keyOf(object), object)
  }

  private select(kind: string, namespace: string | undefined, labelSelector: string | undefined): WireObject[] {
    const matcher = labelSelector ? compileSelector(parseLabelSelector(labelSelector)) : undefined
    return this.ofKind(kind).filter((o) => (namespace === undefined || o.metadata.namespace === namespace)
      && (matcher?.matches(o.metadata.labels ?? {}) ?? true))
  }
}

/** A pod that runs and is Ready, with this address. */
export function runningStatus(podIP = '198.18.0.10', containers: string[] = ['probe', 'server']): Status {
  return {
    phase: 'Running',
    podIP,
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: containers.map((name) => ({ name, state: { running: {} } })),
  }
}

/** A pod still waiting to start, with this container reason (e.g. ContainerCreating, ErrImagePull). */
export function waitingStatus(reason = 'ContainerCreating', message?: string, container = 'probe'): Status {
  return { phase: 'Pending', containerStatuses: [{ name: container, state: { waiting: { reason, ...(message ? { message } : {}) } } }] }
}

function keyOf(o: WireObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`
}

function refOf(o: WireObject): ObjectRef {
  return { namespace: o.metadata.namespace ?? '', name: o.metadata.name!, uid: String(o.metadata.uid) }
}

function describe(o: WireObject): string {
  return `${o.kind.toLowerCase()} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`
}

function statusError(message: string, status: number): ClusterError {
  return Object.assign(new ClusterError(message), { status })
}
