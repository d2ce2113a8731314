// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** The architecture: a service never imports another service; only apps compose services. */
function boundaries(allow) {
  return {
    enforceBuildableLibDependency: false,
    allow,
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:shared'] },
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:shared'] },
      { sourceTag: 'type:shared', onlyDependOnLibsWithTags: ['type:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:cert-vault', onlyDependOnLibsWithTags: ['scope:cert-vault', 'scope:shared'] },
      {
        sourceTag: 'scope:exo-sandbox',
        onlyDependOnLibsWithTags: ['scope:exo-sandbox', 'scope:shared'],
      },
      {
        sourceTag: 'scope:exchange-executor',
        onlyDependOnLibsWithTags: ['scope:exchange-executor', 'scope:shared'],
      },
      {
        sourceTag: 'scope:policy-translator',
        onlyDependOnLibsWithTags: ['scope:policy-translator', 'scope:shared'],
      },
      { sourceTag: 'scope:alerting', onlyDependOnLibsWithTags: ['scope:alerting', 'scope:shared'] },
      { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:console', 'scope:shared'] },
      // apps/console-gateway: the console's gateway as a deployable of its own.
      {
        sourceTag: 'scope:console-gateway',
        onlyDependOnLibsWithTags: ['scope:console', 'scope:shared'],
      },
      { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['*'] },
      // The end-to-end suite drives the deployment from outside; it reads contracts and the feed builder.
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['*'] },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.kafka/**',
      '.nx/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      // build configuration (Vite's, ESM), outside every tsconfig like the *.mjs files above
      'apps/console/vite.config.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
      // The architecture, enforced: a service never imports another service; only apps compose services;
      // shared libraries depend only on shared libraries.
      '@nx/enforce-module-boundaries': ['error', boundaries([])],
    },
  },
  {
    // Medium tests run the services against the sandbox (the stand-in for Microsoft) and, for
    // integration across services, against the real vault: allowed there, and only there.
    files: ['libs/*/test/**/*.ts', 'apps/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(['@easgate/exo-sandbox', '@easgate/cert-vault'])],
    },
  },
  {
    // Domain code is plain TypeScript: no I/O frameworks.
    files: ['libs/**/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['typeorm', 'typeorm/*'], message: 'domain/ must not depend on TypeORM: use a port.' },
            { group: ['kafkajs', 'kafkajs/*'], message: 'domain/ must not depend on kafkajs: use a port.' },
            { group: ['@nestjs/*'], message: 'domain/ must not depend on NestJS.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.medium-spec.ts', 'libs/shared/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['tools/**/*.ts', 'apps/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
