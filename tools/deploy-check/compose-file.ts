import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

/** YAML merge keys (`<<: *anchor`), which js-yaml 5 leaves as plain keys. */
export function mergeKeys(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(mergeKeys);
  if (node === null || typeof node !== 'object') return node;
  const { '<<': merged, ...own } = node as Record<string, unknown>;
  const bases = (Array.isArray(merged) ? merged : merged === undefined ? [] : [merged]).map(mergeKeys);
  return Object.assign(
    {},
    ...bases,
    Object.fromEntries(Object.entries(own).map(([k, v]) => [k, mergeKeys(v)])),
  );
}

/** The repository's docker-compose.yml, anchors and merge keys resolved. */
export function loadComposeFile(): ComposeFile {
  return mergeKeys(load(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'))) as ComposeFile;
}

/** The app a compose service runs (`node dist/apps/<app>/main.js …`), if it runs one. */
export function appOf(service: ComposeService): string | undefined {
  return /^dist\/apps\/([a-z-]+)\/main\.js$/.exec(service.command?.[1] ?? '')?.[1];
}
