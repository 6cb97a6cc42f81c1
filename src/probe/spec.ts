// The objects a probe run creates, as plain manifests. Pure, so their safety properties are
// unit-tested: the probe pod carries the source's identity (namespace, labels, service account) so
// every policy selects it exactly as it selects the source, but it
//   - never becomes Ready (a readiness gate nobody sets), so it never joins a Service's endpoints;
//   - has a controller ownerReference to the run's scale owner (a paused Deployment of 0 replicas
//     that selects no pod, itself owned by the run's ConfigMap), so no workload controller adopts
//     it, deleting the ConfigMap garbage-collects it server-side, and the disruption controller can
//     read its owner's scale (0): a PodDisruptionBudget selecting the source's labels keeps
//     allowing evictions of the source's workload while the probe pod exists (for a ConfigMap
//     owner it finds no scale and allows none);
//   - ends by itself (activeDeadlineSeconds), in case the run is killed before it can clean up;
//   - passes Pod Security "restricted": non-root numeric UID, no privilege escalation, all
//     capabilities dropped, RuntimeDefault seccomp (TCP connects need no capability).
import type { PodEndpoint } from '../evaluate/endpoint.js'
import { NOBODY, PROBE_SOURCE_ANNOTATION, RUN_ID_LABEL } from '../model/cluster.js'

export const DEFAULT_IMAGE = 'nicolaka/netshoot:v0.13'
export const PROBE_CONTAINER = 'probe'
export const NEVER_READY_GATE = 'netpol.kubectl.io/probe-never-ready'

export interface RunIdentity {
  runId: string
  image: string
  /** Seconds after which the kubelet kills the probe pod whatever happens. */
  deadlineSeconds: number
}

export function runObjectName(runId: string): string {
  return `netpol-run-${runId}`
}

/** The pods' controller: what owns a probe pod. */
export interface OwnerRef {
  apiVersion: string
  kind: string
  name: string
  uid: string
}

/** Label of the scale owner's (never used) pod template and selector: no pod carries it. */
export const SCALE_OWNER_LABEL = 'netpol.kubectl.io/scale-owner'

export function runConfigMap(namespace: string, run: RunIdentity): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: runObjectName(run.runId), namespace, labels: { [RUN_ID_LABEL]: run.runId } },
    data: { purpose: 'Owner of the kubectl-netpol probe pods of one run; deleting it deletes them.' },
  }
}

/**
 * The controller of the run's probe pods in one namespace. The deployment controller manages
 * ReplicaSets, never pods; a paused Deployment creates no ReplicaSet, its selector matches no pod,
 * and it has 0 replicas, so it never creates, adopts or deletes a pod. Its template only has to
 * be valid (and pass Pod Security "restricted", so no warning is printed).
 */
export function runScaleOwner(namespace: string, run: RunIdentity, runObject: OwnerRef): object {
  const selector = { [SCALE_OWNER_LABEL]: run.runId }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: runObjectName(run.runId),
      namespace,
      labels: { [RUN_ID_LABEL]: run.runId },
      ownerReferences: [{ ...runObject, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      replicas: 0,
      paused: true,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          containers: [{ name: PROBE_CONTAINER, image: run.image, command: ['true'], securityContext: restrictedContainerSecurity }],
        },
      },
    },
  }
}

const podSecurity = { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: 'RuntimeDefault' } }

export const restrictedContainerSecurity = {
  runAsNonRoot: true,
  runAsUser: NOBODY,
  runAsGroup: NOBODY,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
}

export function probePod(source: PodEndpoint, run: RunIdentity, owner: OwnerRef): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'netpol-probe-',
      namespace: source.pod.namespace,
      labels: { ...source.pod.labels, [RUN_ID_LABEL]: run.runId },
      annotations: { [PROBE_SOURCE_ANNOTATION]: source.key },
      ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      serviceAccountName: source.pod.serviceAccountName ?? 'default',
      ...shortLivedNeverReady(run),
      securityContext: podSecurity,
      containers: [{
        name: PROBE_CONTAINER,
        image: run.image,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', String(run.deadlineSeconds)],
        securityContext: restrictedContainerSecurity,
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '256Mi' } },
      }],
    },
  }
}

/** What every pod of a run has: no token or service links, never Ready, gone by its deadline. */
export function shortLivedNeverReady(run: RunIdentity): object {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy: 'Never',
    activeDeadlineSeconds: run.deadlineSeconds,
    terminationGracePeriodSeconds: 0,
    readinessGates: [{ conditionType: NEVER_READY_GATE }],
  }
}

/** `--mode ephemeral`: a container added to the source pod itself; it stays in the pod spec forever. */
export function probeEphemeralContainer(run: RunIdentity): object {
  return {
    name: ephemeralContainerName(run.runId),
    image: run.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sleep', String(run.deadlineSeconds)],
    securityContext: restrictedContainerSecurity,
  }
}

export function ephemeralContainerName(runId: string): string {
  return `netpol-probe-${runId}`
}
