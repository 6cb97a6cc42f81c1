// Builds the real KubeClient: kubeconfig loaded, API clients created once, every request sent
// through the one requester (abort on timeout, retry transient failures).
import { ClusterError } from '../model/errors.js'
import { createApis } from './apis.js'
import type { KubeClient } from './client.js'
import { loadKubeConfig, type KubeOptions } from './config.js'
import { execIn } from './exec.js'
import { objectWrites } from './objects.js'
import { accessReview, probeReads, snapshotReads } from './reads.js'
import { DEFAULT_BACKOFF_MS, DEFAULT_RETRIES, requester, type RequestPolicy } from './request.js'

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
