import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';

/**
 * Re-creates the vendored schemas from their upstream files (kept here so that an update is one command):
 *   node tools/bin/run-ts.js tools/deploy-check/schemas/vendor.ts <swagger.json> <crd.yaml>...
 * kubernetes.json: the definitions of Kubernetes' OpenAPI v2 document that the chart's kinds reach;
 * crds.json: each CRD version's openAPIV3Schema by `<group>/<version>/<Kind>`. Descriptions are dropped
 * (size); nothing else is changed: strictness is added when validating, not here.
 */
const ROOTS = [
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.batch.v1.Job',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.networking.v1.NetworkPolicy',
  'io.k8s.api.networking.v1.Ingress',
  'io.k8s.api.rbac.v1.Role',
  'io.k8s.api.rbac.v1.RoleBinding',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function strip(node: Json): Json {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, strip(v)]),
  );
}

function refsOf(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, into));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') into.add(v.replace('#/definitions/', ''));
      else refsOf(v, into);
    }
  }
}

const [swaggerPath, ...crdPaths] = process.argv.slice(2);
if (!swaggerPath) throw new Error('usage: vendor.ts <swagger.json> <crd.yaml>...');
const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Json> };
const keep = new Set<string>();
const queue = [...ROOTS];
while (queue.length > 0) {
  const name = queue.pop()!;
  if (keep.has(name)) continue;
  const def = swagger.definitions[name];
  if (def === undefined) throw new Error(`no definition ${name}`);
  keep.add(name);
  const refs = new Set<string>();
  refsOf(def, refs);
  queue.push(...refs);
}
const definitions = Object.fromEntries([...keep].sort().map((n) => [n, strip(swagger.definitions[n])]));
const here = __dirname;
writeFileSync(join(here, 'kubernetes.json'), `${JSON.stringify({ definitions })}\n`);

interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Json } }[];
  };
}
const crds: Record<string, Json> = {};
for (const path of crdPaths) {
  for (const doc of loadAll(readFileSync(path, 'utf8')) as Crd[]) {
    if (doc?.kind !== 'CustomResourceDefinition') continue;
    for (const version of doc.spec.versions) {
      crds[`${doc.spec.group}/${version.name}/${doc.spec.names.kind}`] = strip(
        version.schema.openAPIV3Schema,
      );
    }
  }
}
writeFileSync(join(here, 'crds.json'), `${JSON.stringify(crds)}\n`);
console.log(`kubernetes.json: ${keep.size} definitions; crds.json: ${Object.keys(crds).join(', ')}`);
