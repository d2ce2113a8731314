import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { K8sObject } from '../helm/helm';

/**
 * Validates rendered objects against the Kubernetes OpenAPI definitions and the CRDs' schemas vendored in
 * ./schemas. Strict as the API server is with `kubectl apply --validate=strict`: an unknown field fails
 * (additionalProperties: false wherever the schema lists properties and does not preserve unknown fields).
 */
type Schema = { [key: string]: unknown };

const INT_OR_STRING = { anyOf: [{ type: 'integer' }, { type: 'string' }] };

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as Schema;
  if (schema['x-kubernetes-int-or-string'] === true) return INT_OR_STRING;
  if (schema['format'] === 'int-or-string') return INT_OR_STRING;
  if (schema['format'] === 'quantity') return { anyOf: [{ type: 'string' }, { type: 'number' }] };
  const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
  if (
    out['properties'] !== undefined &&
    out['additionalProperties'] === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out['additionalProperties'] = false;
  }
  return out;
}

const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes('(?i)')
      ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: 'new RegExp' },
);

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export class KubernetesSchemas {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const dir = join(__dirname, 'schemas');
    const ajv = new Ajv({
      strict: false,
      validateFormats: false,
      allErrors: true,
      // CRD patterns are Go regular expressions: `(?i)` becomes JavaScript's `i` flag.
      code: { regExp: goRegExp },
    });
    const k8s = JSON.parse(readFileSync(join(dir, 'kubernetes.json'), 'utf8')) as {
      definitions: Record<string, Schema>;
    };
    const definitions = strict(k8s.definitions) as Record<string, Schema>;
    ajv.addSchema({ $id: 'k8s', definitions });
    for (const [name, def] of Object.entries(k8s.definitions)) {
      for (const gvk of (def['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? []) {
        const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
        this.validators.set(`${apiVersion}/${gvk.kind}`, ajv.getSchema(`k8s#/definitions/${name}`)!);
      }
    }
    const crds = JSON.parse(readFileSync(join(dir, 'crds.json'), 'utf8')) as Record<string, Schema>;
    for (const [key, schema] of Object.entries(crds))
      this.validators.set(key, ajv.compile(strict(schema) as Schema));
  }

  knows(object: K8sObject): boolean {
    return this.validators.has(`${object.apiVersion}/${object.kind}`);
  }

  /** The schema errors of `object` (empty when valid); an unknown kind is an error too. */
  errorsOf(object: K8sObject): string[] {
    const validate = this.validators.get(`${object.apiVersion}/${object.kind}`);
    if (!validate) return [`no schema for ${object.apiVersion} ${object.kind}`];
    if (validate(object)) return [];
    return (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}
