import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertingService } from '@easgate/alerting';
import { certVaultDefinition } from '@easgate/cert-vault';
import { exchangeExecutorDefinition } from '@easgate/exchange-executor';
import { InProcessBus } from '@easgate/messaging';
import { policyTranslatorService } from '@easgate/policy-translator';
import { type RunningService, type ServiceDefinition, startService } from '@easgate/service-runtime';

/** The services whose OpenAPI documents the console's API types are generated from (gateway prefix → service). */
export const documentedServices: readonly ServiceDefinition[] = [
  certVaultDefinition,
  exchangeExecutorDefinition,
  policyTranslatorService,
  alertingService,
];

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
};

/**
 * Every service's OpenAPI document as it serves it at /docs/openapi.json: each service is started as
 * `easgate start` embeds it (SQLite in a temporary directory, the in-process bus, a free port, no
 * background scanners), asked over HTTP, and closed.
 */
export async function fetchServiceDocuments(): Promise<Map<string, OpenApiDocument>> {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-openapi-'));
  const bus = new InProcessBus();
  const apiToken = randomBytes(18).toString('base64url');
  const documents = new Map<string, OpenApiDocument>();
  const running: RunningService[] = [];
  try {
    for (const definition of documentedServices) {
      const service = await startService(definition, {
        bus,
        dataDir: join(dir, definition.name),
        port: 0,
        apiToken,
        env: { VAULT_EXPIRY_SCANNER: 'false', LOG_LEVEL: 'error' },
        peers: Object.fromEntries(running.map((r) => [r.name, r.url])),
      });
      running.push(service);
      const response = await fetch(`${service.url}/docs/openapi.json`);
      if (!response.ok) throw new Error(`${definition.name}: /docs/openapi.json answered ${response.status}`);
      documents.set(definition.name, (await response.json()) as OpenApiDocument);
    }
    return documents;
  } finally {
    for (const service of running.reverse()) await service.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
