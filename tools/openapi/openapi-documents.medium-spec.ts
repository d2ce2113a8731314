import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { fetchServiceDocuments, type OpenApiDocument } from './service-documents';

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: Record<string, unknown>[];
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operationsOf(document: OpenApiDocument): { id: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        id: `${method.toUpperCase()} ${path}`,
        operation: operation as Operation,
      })),
  );
}

const errorStatuses = (operation: Operation) =>
  Object.keys(operation.responses ?? {}).filter((status) => /^4\d\d$/.test(status));

/**
 * The services' OpenAPI documents, as each service serves them: valid OpenAPI 3.0 for a standard
 * validator, every operation with its error answers, and the console's API types generated from them.
 */
describe('the services’ OpenAPI documents', () => {
  let documents: Map<string, OpenApiDocument>;

  beforeAll(async () => {
    documents = await fetchServiceDocuments();
  });

  it('documents the four services', () => {
    expect([...documents.keys()]).toEqual([
      'cert-vault',
      'exchange-executor',
      'policy-translator',
      'alerting',
    ]);
  });

  it('validates every document with swagger-parser', async () => {
    const failures: string[] = [];
    for (const [name, document] of documents) {
      try {
        await SwaggerParser.validate(structuredClone(document) as never);
      } catch (err) {
        failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('documents 401 on every operation behind the API token, with the {code, message} body', () => {
    const missing = [...documents].flatMap(([name, document]) =>
      operationsOf(document)
        .filter(({ operation }) => operation.security?.some((requirement) => 'bearer' in requirement))
        .filter(({ operation }) => operation.responses?.['401']?.content?.['application/json'] === undefined)
        .map(({ id }) => `${name} ${id}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents a 4xx of its own (400, 404, 409, …) on every operation that takes a body or names a resource', () => {
    const missing = [...documents].flatMap(([name, document]) =>
      operationsOf(document)
        .filter(
          ({ operation }) =>
            operation.requestBody !== undefined ||
            // a tenant's lists answer for any tenant (empty or the defaults); an id names what may not exist
            (operation.parameters ?? []).some((p) => p.in === 'path' && p.name !== 'tenant'),
        )
        .filter(({ operation }) => !errorStatuses(operation).some((status) => status !== '401'))
        .map(({ id }) => `${name} ${id}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents the success answer of every operation', () => {
    const missing = [...documents].flatMap(([name, document]) =>
      operationsOf(document)
        .filter(({ operation }) => !Object.keys(operation.responses ?? {}).some((s) => /^2\d\d$/.test(s)))
        .map(({ id }) => `${name} ${id}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents at least one 4xx on every operation, each with a description', () => {
    const bad = [...documents].flatMap(([name, document]) =>
      operationsOf(document)
        .filter(
          ({ operation }) =>
            errorStatuses(operation).length === 0 ||
            errorStatuses(operation).some((status) => !operation.responses?.[status]?.description),
        )
        .map(({ id }) => `${name} ${id}`),
    );
    expect(bad).toEqual([]);
  });

  it('keeps the console’s generated API types up to date (npm run console:api)', () => {
    // openapi-typescript loads ES modules Jest's CommonJS runtime cannot: the generator runs in Node itself.
    const dir = mkdtempSync(join(tmpdir(), 'easgate-openapi-check-'));
    try {
      const file = join(dir, 'documents.json');
      writeFileSync(file, JSON.stringify(Object.fromEntries(documents)));
      const root = resolve(__dirname, '../..');
      const run = spawnSync(
        'node',
        ['tools/bin/run-ts.js', 'tools/openapi/generate-console-api.ts', '--check', '--documents', file],
        { cwd: root, encoding: 'utf8' },
      );
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
