import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';

/** Real Helm (helm-java, tools/helm/Helm.java) from Node: what the chart tests call. */
const HELM_SH = join(__dirname, 'helm.sh');
const run = promisify(execFile);

export interface RenderOptions {
  valuesFiles?: string[];
  namespace?: string;
  name?: string;
}

export class HelmError extends Error {}

async function helm(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [HELM_SH, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new HelmError(`${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message);
  }
}

/** `helm lint --strict`: Helm's messages; throws HelmError listing them when the chart fails. */
export async function helmLint(chart: string): Promise<string[]> {
  return (await helm(['lint', chart])).split('\n').filter(Boolean);
}

/** `helm template`: the rendered manifests as text. */
export async function helmTemplate(chart: string, options: RenderOptions = {}): Promise<string> {
  return helm([
    'template',
    chart,
    '--name',
    options.name ?? 'easgate',
    '--namespace',
    options.namespace ?? 'easgate',
    ...(options.valuesFiles ?? []).flatMap((f) => ['-f', f]),
  ]);
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `helm template`, parsed: every rendered object. */
export async function renderObjects(chart: string, options: RenderOptions = {}): Promise<K8sObject[]> {
  return (loadAll(await helmTemplate(chart, options)) as (K8sObject | null)[]).filter(
    (o): o is K8sObject => o !== null && o !== undefined,
  );
}
