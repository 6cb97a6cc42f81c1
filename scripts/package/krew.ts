// The krew plugin manifest (build/package/netpol.yaml), generated from the built archives.
import { writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { stringify } from 'yaml'
import { archiveName, executableName, MANIFEST, VERSION, type Target } from './targets.js'

export const HOMEPAGE = 'https://github.com/kubectl-netpol/kubectl-netpol'
/** Where the release archives are published; override for a fork or a mirror. */
export const RELEASE_URL = process.env.NETPOL_RELEASE_URL ?? `${HOMEPAGE}/releases/download/${VERSION}`

const DESCRIPTION = `Tells you what your NetworkPolicies really do. \`kubectl netpol predict\` and
\`explain\` evaluate the policies (from manifest files or the live cluster) and say which
connections they allow and why. \`kubectl netpol probe\` then measures every predicted connection
on the live cluster from short-lived probe pods that carry the source's identity, and reports
where prediction and enforcement disagree: a predicted-deny connection that goes through is a
security finding, a predicted-allow that is blocked breaks an app, and a check that could not be
measured is reported as unknown, never as blocked. Also: scenarios, CKA/CKS-style drills graded by
live probes, and CI output (exit codes, JUnit, JSON).
`

const CAVEATS = `predict and explain with -f read only files. On a live cluster:
* predict/explain read namespaces, pods, services, nodes, NetworkPolicies and EndpointSlices.
* probe creates, per run and namespace, one ConfigMap and one paused Deployment of 0 replicas (the
  owner of the probe pods, so PodDisruptionBudgets keep allowing evictions) and one short-lived
  probe pod per source in the source's namespace (labelled netpol.kubectl.io/run-id, never Ready,
  Pod Security "restricted"), execs
  into them and deletes them on success, failure and Ctrl-C; --mode ephemeral adds an ephemeral
  container to source pods instead. \`kubectl netpol cleanup\` removes what an interrupted run left.
* Least-privilege RBAC: the ClusterRoles kubectl-netpol-reader (get/list the objects above) and
  kubectl-netpol-prober (pods create/delete, pods/exec, configmaps and deployments create/delete,
  pods/ephemeralcontainers patch), in deploy/rbac.yaml of the repository. No cluster-admin and
  no privileged pods.
* scenario run and drill start create and delete their own namespaces, which needs more.
`

export interface BuiltArchive {
  target: Target
  file: string
  sha256: string
}

export function krewManifest(archives: BuiltArchive[]): Record<string, unknown> {
  return {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'netpol' },
    spec: {
      version: VERSION,
      homepage: HOMEPAGE,
      shortDescription: 'Predict, probe and reconcile NetworkPolicy',
      description: DESCRIPTION,
      caveats: CAVEATS,
      platforms: archives.map(({ target, file, sha256 }) => ({
        selector: { matchLabels: { os: target.os, arch: target.arch } },
        uri: `${RELEASE_URL}/${basename(file)}`,
        sha256,
        bin: executableName(target),
        files: [
          { from: executableName(target), to: '.' },
          { from: 'LICENSE', to: '.' },
          { from: 'THIRD_PARTY_LICENSES', to: '.' },
          { from: 'scenarios', to: '.' },
          // kubectl_complete-netpol: krew links only `bin` onto PATH; README says how to link this one.
          ...(target.os === 'windows' ? [] : [{ from: 'kubectl_complete-netpol', to: '.' }]),
        ],
      })),
    },
  }
}

export function writeKrewManifest(archives: BuiltArchive[]): void {
  for (const a of archives) if (basename(a.file) !== archiveName(a.target)) throw new Error(`unexpected archive ${a.file}`)
  writeFileSync(MANIFEST, stringify(krewManifest(archives), { lineWidth: 0 }))
}
