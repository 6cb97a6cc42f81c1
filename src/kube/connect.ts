// Builds the real KubeClient: kubeconfig loaded, API clients created once, every request sent
// through the one requester (abort on timeout, retry transient failures).
import * as k8s from '@kubernetes/client-node'
import { ClusterError } from '../model/errors.js'
import type { KubeClient } from './client.js'
import { loadKubeConfig, type KubeOptions } from './config.js'
import { execIn } from './exec.js'
import { objectWrites } from './objects.js'
import { accessReview, probeReads, snapshotReads } from './reads.js'
import { abortMiddleware, DEFAULT_BACKOFF_MS, DEFAULT_RETRIES, requester, type RequestPolicy } from './request.js'

export interface Apis {
  core: k8s.CoreV1Api
  networking: k8s.NetworkingV1Api
  authorization: k8s.AuthorizationV1Api
  objects: k8s.KubernetesObjectApi
}

/** `retry` is the resend policy for transient failures (tests shorten the backoff). */
export function connect(options: KubeOptions = {}, retry: Omit<RequestPolicy, 'timeoutSeconds'> = { retries: DEFAULT_RETRIES, backoffMs: DEFAULT_BACKOFF_MS }): KubeClient {
  const config = loadKubeConfig(options)
  const cluster = config.getCurrentCluster()
  if (!cluster) throw new ClusterError(`context "${config.getCurrentContext()}" names no cluster`)
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace ?? 'default'
  const apis = createApis(config, cluster.server)
  const send = requester(cluster.server, { ...retry, timeoutSeconds: options.requestTimeout })
  return {
    ...snapshotReads(apis, send, namespace),
    ...objectWrites(apis, send),
    ...probeReads(apis, send),
    ...accessReview(apis, send),
    exec: (target, command, timeoutMs) => execIn(config, target, command, timeoutMs),
  }
}

function createApis(config: k8s.KubeConfig, server: string): Apis {
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: config },
    promiseMiddleware: [abortMiddleware],
  })
  // Every manifest the product sends names its namespace, so the object API needs no default one.
  return {
    core: new k8s.CoreV1Api(configuration),
    networking: new k8s.NetworkingV1Api(configuration),
    authorization: new k8s.AuthorizationV1Api(configuration),
    objects: new k8s.KubernetesObjectApi(configuration),
  }
}
