// Between wire JSON (what manifests and the rest of the product use) and client-node's typed models.
import type { KubernetesObject } from '@kubernetes/client-node'
// Not re-exported by the package index; the package has no exports map, so the deep path is stable.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import type { WireObject } from './client.js'

/**
 * A wire-JSON manifest as the typed object KubernetesObjectApi serialises back to wire JSON;
 * passing the manifest as is would lose renamed fields (NetworkPolicy `from` is `_from` in client-node).
 */
export function typed(manifest: WireObject): KubernetesObject {
  const version = manifest.apiVersion.split('/').pop()!
  const type = `${version[0].toUpperCase()}${version.slice(1)}${manifest.kind}`
  return ObjectSerializer.deserialize(manifest, type, '') as KubernetesObject
}

/** The wire JSON of a typed client-node object (client-node renames some fields, e.g. `from` → `_from`). */
export function toWireJson(item: object, type: string): object {
  return ObjectSerializer.serialize(item, type, '') as object
}
