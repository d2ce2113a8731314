import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

// The architecture is enforced by lint, not by good intentions. Probe files are written into the
// real project folders, linted in one run of the real ESLint CLI with the repository's config,
// and removed.
describe('module boundaries', () => {
  const probe = `boundary-probe-${randomBytes(4).toString('hex')}`;
  const probes = {
    serviceToService: `libs/exchange-executor/src/${probe}.ts`,
    sharedToService: `libs/shared/messaging/src/${probe}.ts`,
    domainToFrameworks: `libs/exo-sandbox/src/domain/${probe}.ts`,
    serviceToContracts: `libs/exo-sandbox/src/${probe}.ts`,
  };
  const sources: Record<keyof typeof probes, string> = {
    serviceToService:
      "import { startSandbox } from '@easgate/exo-sandbox';\nexport const leak = startSandbox;\n",
    sharedToService:
      "import { startSandbox } from '@easgate/exo-sandbox';\nexport const leak = startSandbox;\n",
    domainToFrameworks:
      "import { DataSource } from 'typeorm';\nimport { Kafka } from 'kafkajs';\nimport { Injectable } from '@nestjs/common';\nexport const leak = [DataSource, Kafka, Injectable];\n",
    serviceToContracts: "import { Topics } from '@easgate/contracts';\nexport const topics = Topics;\n",
  };
  let results: Record<keyof typeof probes, LintResult['messages']>;

  beforeAll(() => {
    // @nx/enforce-module-boundaries reads the cached project graph.
    execFileSync(process.execPath, [join(ROOT, 'node_modules/nx/bin/nx.js'), 'show', 'projects'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    for (const [name, path] of Object.entries(probes))
      writeFileSync(join(ROOT, path), sources[name as keyof typeof probes]);
    let output: string;
    try {
      output = execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', ...Object.values(probes)],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      output = (err as { stdout: string }).stdout;
    } finally {
      for (const path of Object.values(probes)) rmSync(join(ROOT, path), { force: true });
    }
    const byPath = new Map((JSON.parse(output) as LintResult[]).map((r) => [r.filePath, r.messages]));
    results = Object.fromEntries(
      Object.entries(probes).map(([name, path]) => [
        name,
        (byPath.get(join(ROOT, path)) ?? []).filter(
          (m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports',
        ),
      ]),
    ) as typeof results;
  });

  it('refuses an import of one service from another', () => {
    expect(results.serviceToService).toHaveLength(1);
    expect(results.serviceToService[0].ruleId).toBe('@nx/enforce-module-boundaries');
  });

  it('refuses an import of a service from a shared library', () => {
    expect(results.sharedToService).toHaveLength(1);
    expect(results.sharedToService[0].ruleId).toBe('@nx/enforce-module-boundaries');
  });

  it('refuses TypeORM, kafkajs and NestJS in a domain folder', () => {
    expect(results.domainToFrameworks.map((e) => e.ruleId)).toEqual([
      'no-restricted-imports',
      'no-restricted-imports',
      'no-restricted-imports',
    ]);
  });

  it('lets a service import the shared contracts', () => {
    expect(results.serviceToContracts).toEqual([]);
  });
});
