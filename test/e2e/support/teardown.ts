// Global teardown of the e2e suite (vitest.e2e.config.ts): tests delete their namespaces without
// waiting (support/cluster.ts, deleteNamespace); the suite ends only when they are all gone, so
// the next suite, enforcer switch or cluster:down finds a clean cluster.
import { clusterAvailable, waitForDeletedTestNamespaces } from './cluster.js'

export default function setup(): () => Promise<void> {
  return async () => {
    if (clusterAvailable()) await waitForDeletedTestNamespaces()
  }
}
