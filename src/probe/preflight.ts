// Before a probe run creates anything: may the user do everything the run needs?
import type { AccessReview } from '../kube/client.js'
import { ClusterError } from '../model/errors.js'
import type { ProbeMode } from '../model/probe.js'

interface Permission {
  verb: string
  resource: string
  subresource?: string
  group?: string
}

/** Exec over WebSocket is authorized as `get` on pods/exec by current API servers, as `create` by others. */
const EXEC_PERMISSIONS: Permission[] = [{ verb: 'get', resource: 'pods', subresource: 'exec' }, { verb: 'create', resource: 'pods', subresource: 'exec' }]

const NEEDED: Record<ProbeMode, Permission[]> = {
  pod: [
    { verb: 'create', resource: 'configmaps' }, { verb: 'deletecollection', resource: 'configmaps' },
    { verb: 'create', resource: 'deployments', group: 'apps' }, { verb: 'deletecollection', resource: 'deployments', group: 'apps' },
    { verb: 'create', resource: 'pods' }, { verb: 'list', resource: 'pods' }, { verb: 'deletecollection', resource: 'pods' },
    ...EXEC_PERMISSIONS,
  ],
  ephemeral: [{ verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }, { verb: 'list', resource: 'pods' }, ...EXEC_PERMISSIONS],
}

/** Fails before creating anything when a permission the run needs is missing, naming each one. */
export async function preflight(client: AccessReview, mode: ProbeMode, namespaces: string[]): Promise<void> {
  const checks = namespaces.flatMap((namespace) => NEEDED[mode].map((p) => ({ ...p, namespace })))
  const answers = await Promise.all(checks.map((c) => client.canI(c)))
  const missing = checks.filter((_, i) => !answers[i]).map((c) => `${c.verb} ${c.resource}${c.group ? `.${c.group}` : ''}${c.subresource ? `/${c.subresource}` : ''} in ${c.namespace}`)
  if (missing.length > 0) throw new ClusterError(`permission denied: missing ${missing.join(', ')} (see deploy/rbac.yaml)`)
}
