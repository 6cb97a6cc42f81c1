#!/usr/bin/env node
// Server-side apply a multi-document YAML manifest with @kubernetes/client-node.
// usage: apply.mjs KUBECONFIG MANIFEST.yaml [--set KEY=VALUE ...]
// ${KEY} placeholders in the manifest are substituted first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', '..', 'package.json'));
const k8s = require('@kubernetes/client-node');

const [kubeconfig, file, ...rest] = process.argv.slice(2);
const vars = {};
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--set') { const [k, ...v] = rest[++i].split('='); vars[k] = v.join('='); }
}
let text = readFileSync(file, 'utf8');
text = text.replace(/\$\{([A-Z0-9_]+)\}/g, (m, k) => {
  if (!(k in vars)) throw new Error(`no value for ${m}`);
  return vars[k];
});
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const client = k8s.KubernetesObjectApi.makeApiClient(kc);
for (const obj of k8s.loadAllYaml(text)) {
  if (!obj) continue;
  await client.patch(obj, undefined, undefined, 'netpol-harness', true, k8s.PatchStrategy.ServerSideApply);
  console.log(`applied ${obj.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name}`);
}
