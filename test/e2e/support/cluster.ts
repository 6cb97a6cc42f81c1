/**
 * Shared helpers for end-to-end tests against the local test cluster
 * (test/cluster, brought up with `npm run cluster:up`).
 *
 * Everything talks to the API server through @kubernetes/client-node; tests
 * must not shell out to kubectl. All waits are bounded polls.
 *
 * Environment:
 *  - NETPOL_CLUSTER_DIR  cluster state dir (default: <repo>/.cluster)
 *  - KUBECONFIG is NOT consulted: the admin kubeconfig of the test cluster is
 *    always used, so a developer's own cluster can never be touched by tests.
 *
 * Notes:
 *  - client-node's typed models name an ingress rule's `from` `_from`
 *    (V1NetworkPolicyIngressRule); plain objects passed through
 *    KubernetesObjectApi / YAML keep `from`.
 *  - Pods of the cluster get IPs in 198.18.0.0/16, Services 198.19.0.0/16,
 *    cluster DNS is 198.19.0.10; don't hard-code them in tests that should
 *    also run on other clusters (kind).
 *  - Denied connections are rejected by kube-router (refused at once) and dropped by
 *    kube-network-policies (they time out): keep probe timeouts short.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';

// ------------------------------------------------------------------ locations

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Directory with the cluster's runtime state (kubeconfig, pki, logs, enforcer file). */
export function clusterDir(): string {
  return path.resolve(process.env.NETPOL_CLUSTER_DIR ?? path.join(repoRoot, '.cluster'));
}

/** Admin kubeconfig (client cert in group system:masters). */
export function kubeconfigPath(): string {
  return path.join(clusterDir(), 'kubeconfig');
}

/** CA certificate and key of the test cluster, e.g. to mint client certs for limited users. */
export function clusterCA(): { certPath: string; keyPath: string } {
  return { certPath: path.join(clusterDir(), 'pki', 'ca.crt'), keyPath: path.join(clusterDir(), 'pki', 'ca.key') };
}

/** API server URL of the test cluster. */
export const API_SERVER = 'https://127.0.0.1:6443';

/** Default probe image (a locally built netshoot-compatible image). */
export const NETSHOOT_IMAGE = 'docker.io/nicolaka/netshoot:v0.13';

const ENFORCER_MODES = ['kube-router', 'kube-network-policies', 'none'] as const;
export type EnforcerMode = (typeof ENFORCER_MODES)[number];

/**
 * NetworkPolicy enforcer the cluster currently runs, from `$NETPOL_CLUSTER_DIR/enforcer`
 * (written by `npm run cluster:up -- --enforcer MODE`). Throws when the cluster is not up.
 */
export function enforcerMode(): EnforcerMode {
  const file = path.join(clusterDir(), 'enforcer');
  if (!existsSync(file)) throw new Error(`${file} not found: is the test cluster up? (npm run cluster:up)`);
  const mode = readFileSync(file, 'utf8').trim();
  if (!(ENFORCER_MODES as readonly string[]).includes(mode)) throw new Error(`unexpected enforcer mode '${mode}' in ${file}`);
  return mode as EnforcerMode;
}

/**
 * What the probe may observe for a connection the policies deny, under the current enforcer:
 * kube-router rejects (mostly `refused`; some denials still time out, e.g. in the upstream model),
 * kube-network-policies drops (always `blocked`: the client times out).
 */
export function deniedObservations(): Array<'refused' | 'blocked'> {
  return enforcerMode() === 'kube-network-policies' ? ['blocked'] : ['blocked', 'refused'];
}

/** True when NetworkPolicies are enforced (any mode but `none`). */
export function policiesEnforced(): boolean {
  return enforcerMode() !== 'none';
}

/**
 * Whether to run the tests whose outcome no enforcer should change: what the API server does
 * (admission, RBAC, owners, evictions, interrupted runs, input errors) and `predict`. They run under
 * every real enforcer (the probe's pods run beside a different one each time), not in the `none`
 * mode, which only shows what goes unenforced. NETPOL_E2E_EVERY_MODE=1 runs them there too.
 */
export function runsEnforcerIndependentTests(): boolean {
  return clusterAvailable() && (policiesEnforced() || process.env.NETPOL_E2E_EVERY_MODE === '1');
}

/** True when the cluster's kubeconfig exists (use with describe.runIf to skip cleanly). */
export function clusterAvailable(): boolean {
  return existsSync(kubeconfigPath()) && existsSync(path.join(clusterDir(), 'enforcer'));
}

// ------------------------------------------------------------------ clients

export interface KubeClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  net: k8s.NetworkingV1Api;
  rbac: k8s.RbacAuthorizationV1Api;
  objects: k8s.KubernetesObjectApi;
}

let cached: KubeClients | undefined;

/** API clients for the test cluster's admin kubeconfig (memoised). */
export function kubeClients(): KubeClients {
  if (cached) return cached;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  cached = {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    net: kc.makeApiClient(k8s.NetworkingV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
  return cached;
}

/** HTTP status of a client-node API error (undefined for other errors). */
export function apiStatus(err: unknown): number | undefined {
  if (err instanceof k8s.ApiException) return err.code;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

// ------------------------------------------------------------------ polling

export interface PollOptions {
  /** Give up after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Pause between attempts (default 500 ms). */
  intervalMs?: number;
  /** Used in the timeout error message. */
  description?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Bounded polling: calls `fn` until it returns a value other than
 * undefined/false, and returns that value. Errors thrown by `fn` count as
 * "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, opts: PollOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  const why = lastErr ? `; last error: ${lastErr instanceof Error ? lastErr.message : String(lastErr)}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.description ?? 'condition'}${why}`);
}

// ------------------------------------------------------------------ namespaces

/** Label put on every namespace created by createTestNamespace. */
export const E2E_LABEL = 'kubectl-netpol.e2e';

/**
 * Creates a uniquely named namespace (`<prefix>-<random>`) labelled
 * `kubectl-netpol.e2e=true` plus `labels`, and waits for its default service
 * account (pods cannot be created before it exists).
 */
export async function createTestNamespace(prefix = 'e2e', labels: Record<string, string> = {}): Promise<string> {
  const { core } = kubeClients();
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase().slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { [E2E_LABEL]: 'true', ...labels } } } });
  // Long after an API server restart (probe.test.ts, faults): the controller manager resyncs first.
  await waitFor(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: name })) !== undefined, {
    timeoutMs: 120_000,
    description: `service account default in ${name}`,
  });
  return name;
}

/**
 * Deletes a namespace without waiting until it is gone: test namespaces have unique names, so the
 * namespace controller can empty it while the next tests run, and the suite's teardown
 * (support/teardown.ts) waits, bounded, until every test namespace is gone. Missing namespaces are fine.
 */
export async function deleteNamespace(name: string): Promise<void> {
  const { core } = kubeClients();
  try {
    await core.deleteNamespace({ name, gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  } catch (e) {
    if (apiStatus(e) !== 404) throw e;
  }
}

/** Waits (bounded) until no test namespace (label E2E_LABEL) is on its way out. */
export async function waitForDeletedTestNamespaces(timeoutMs = 110_000): Promise<void> {
  const { core } = kubeClients();
  await waitFor(
    async () => (await core.listNamespace({ labelSelector: E2E_LABEL })).items.every((n) => !n.metadata?.deletionTimestamp),
    { timeoutMs, intervalMs: 1000, description: 'deleted test namespaces to be gone' },
  );
}

// ------------------------------------------------------------------ pods

export interface TestPodOptions {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** Container command; default: sleep forever (a client/probe pod). */
  command?: string[];
  /** Container ports to declare (named ports are used by NetworkPolicies). */
  ports?: k8s.V1ContainerPort[];
  /** Run as root (needed to bind ports < 1024). Default: UID 65534, all capabilities dropped. */
  root?: boolean;
  image?: string;
}

/** Pod spec with the netshoot image, restricted security context, no service links. */
export function netshootPod(o: TestPodOptions): k8s.V1Pod {
  const sc: k8s.V1SecurityContext = o.root
    ? { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }
    : { runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels ?? { app: o.name } },
    spec: {
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: o.image ?? NETSHOOT_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: o.command ?? ['sleep', 'infinity'],
          ports: o.ports,
          securityContext: sc,
        },
      ],
    },
  };
}

/**
 * A server pod answering TCP on `port` (and UDP on the same port when `udp`)
 * with the line `<name>` per connection/datagram, using socat.
 */
export function serverPod(o: Omit<TestPodOptions, 'command'> & { port: number; udp?: boolean; portName?: string }): k8s.V1Pod {
  const reply = `echo ${o.name}`;
  const tcp = `socat TCP-LISTEN:${o.port},fork,reuseaddr SYSTEM:'${reply}'`;
  const udp = `socat UDP-RECVFROM:${o.port},fork,reuseaddr SYSTEM:'${reply}'`;
  const script = o.udp ? `${tcp} & ${udp} & wait` : `exec ${tcp}`;
  const ports: k8s.V1ContainerPort[] = [{ name: o.portName, containerPort: o.port, protocol: 'TCP' }];
  if (o.udp) ports.push({ name: o.portName ? `${o.portName}-udp`.slice(0, 15) : undefined, containerPort: o.port, protocol: 'UDP' });
  return netshootPod({ ...o, root: o.root ?? o.port < 1024, command: ['bash', '-c', script], ports: o.ports ?? ports });
}

/** Creates a pod and waits until it is Ready. Returns the pod (with its IP). */
export async function createPodAndWait(pod: k8s.V1Pod, timeoutMs = 90_000): Promise<k8s.V1Pod> {
  const { core } = kubeClients();
  const namespace = pod.metadata?.namespace;
  if (!namespace || !pod.metadata?.name) throw new Error('pod needs metadata.name and metadata.namespace');
  await core.createNamespacedPod({ namespace, body: pod });
  return waitForPodReady(namespace, pod.metadata.name, timeoutMs);
}

/** Waits until the pod's phase is Running; fails fast if it ends. */
export async function waitForPodRunning(namespace: string, name: string, timeoutMs = 90_000): Promise<k8s.V1Pod> {
  return waitForPod(namespace, name, timeoutMs, (p) => p.status?.phase === 'Running', 'Running');
}

/** Waits until the pod has condition Ready=True; fails fast if it ends. */
export async function waitForPodReady(namespace: string, name: string, timeoutMs = 90_000): Promise<k8s.V1Pod> {
  return waitForPod(
    namespace,
    name,
    timeoutMs,
    (p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    'Ready',
  );
}

async function waitForPod(namespace: string, name: string, timeoutMs: number, ok: (p: k8s.V1Pod) => boolean, what: string): Promise<k8s.V1Pod> {
  const { core } = kubeClients();
  let last: k8s.V1Pod | undefined;
  try {
    return await waitFor(
      async () => {
        last = await core.readNamespacedPod({ namespace, name });
        const phase = last.status?.phase;
        if (phase === 'Failed' || phase === 'Succeeded') throw new PodEndedError(`${namespace}/${name} ended with phase ${phase}`);
        return ok(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 500, description: `pod ${namespace}/${name} ${what}` },
    );
  } catch (e) {
    const waiting = last?.status?.containerStatuses?.map((s) => `${s.name}: ${JSON.stringify(s.state)}`).join('; ');
    throw new Error(`${e instanceof Error ? e.message : String(e)}${waiting ? ` (container state: ${waiting})` : ''}`);
  }
}

class PodEndedError extends Error {}

// ------------------------------------------------------------------ exec

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code of the command (-1 when the API did not report one). */
  exitCode: number;
}

/**
 * Runs `command` in a pod's container through the API server (client-node
 * Exec, no kubectl) and collects its output. Rejects only on transport
 * errors or timeout; a non-zero exit code is returned in the result.
 */
export async function execInPod(
  namespace: string,
  pod: string,
  command: string[],
  opts: { container?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const { kc, core } = kubeClients();
  let container = opts.container;
  if (!container) {
    const p = await core.readNamespacedPod({ namespace, name: pod });
    container = p.spec?.containers?.[0]?.name;
    if (!container) throw new Error(`pod ${namespace}/${pod} has no containers`);
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        append(chunk.toString());
        cb();
      },
    });
  const exec = new k8s.Exec(kc);
  return new Promise<ExecResult>((resolve, reject) => {
    let status: k8s.V1Status | undefined;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) return reject(err);
      let exitCode = -1;
      if (status?.status === 'Success') exitCode = 0;
      else {
        const cause = status?.details?.causes?.find((c) => c.reason === 'ExitCode');
        if (cause?.message !== undefined) exitCode = Number(cause.message);
      }
      resolve({ stdout, stderr, exitCode });
    };
    const timer = setTimeout(() => {
      socket?.close();
      finish(new Error(`exec in ${namespace}/${pod} timed out after ${timeoutMs} ms: ${command.join(' ')}`));
    }, timeoutMs);
    let socket: { close(): void; on(ev: 'close', cb: () => void): void } | undefined;
    exec
      .exec(namespace, pod, container!, command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, (s) => {
        status = s;
      })
      .then((ws) => {
        socket = ws;
        ws.on('close', () => finish());
      })
      .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}

/**
 * Tries a TCP (or UDP) connection from a pod to host:port with a short
 * timeout; true when it connected (TCP) or got an answer (UDP, needs a
 * serverPod with udp: true).
 */
export async function canConnect(
  namespace: string,
  fromPod: string,
  host: string,
  port: number,
  opts: { protocol?: 'TCP' | 'UDP'; timeoutSeconds?: number } = {},
): Promise<boolean> {
  const t = opts.timeoutSeconds ?? 2;
  const cmd =
    opts.protocol === 'UDP'
      ? ['bash', '-c', `echo ping | timeout ${t + 1} socat -T${t} - UDP:${host}:${port} | grep -q .`]
      : ['timeout', String(t + 1), 'nc', '-z', '-w', String(t), host, String(port)];
  const r = await execInPod(namespace, fromPod, cmd, { timeoutMs: (t + 15) * 1000 });
  return r.exitCode === 0;
}
