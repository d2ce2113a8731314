import type { Config } from 'jest';
import { readFileSync } from 'node:fs';

// One Jest run, three layers: `unit` (*.spec.ts beside the source, no I/O), `medium`
// (libs/*/test/*.medium-spec.ts against the real Kafka broker and the real PostgreSQL) and `e2e`
// (apps/e2e: the deployables as processes).
const tsconfig = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const moduleNameMapper = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);

const transform: Config['transform'] = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.kafka/'],
} satisfies Config;

const config: Config = {
  // Medium tests run in band on 2 cores; a client library timer left behind (kafkajs, undici keep-alive)
  // must not keep CI waiting forever once every test has finished.
  forceExit: true,
  reporters: ['default', '<rootDir>/tools/test/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'medium',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/libs/shared/testing/src/environment/global-setup.ts',
      globalTeardown: '<rootDir>/libs/shared/testing/src/environment/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/shared/testing/src/environment/medium-setup.ts'],
    },
    {
      // Every service as its own OS process, a Kafka broker of the suite's own, PostgreSQL, the sandbox
      // process (apps/e2e/README.md). Each file brings its own processes up; run in band.
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/e2e/**/*.e2e-spec.ts'],
      // The services run compiled (dist/apps/<app>/main.js): built here when missing or stale.
      globalSetup: '<rootDir>/libs/shared/testing/src/environment/e2e-global-setup.ts',
    },
  ],
};

export default config;
