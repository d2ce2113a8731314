import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFileSync, type Options } from '@swc/core';

/**
 * The production build of one app: its entry and every workspace file it reaches, compiled by SWC to
 * CommonJS under dist/apps/<app>/ (repository layout kept, so relative requires stay valid), the
 * tsconfig path aliases rewritten to relative requires, decorator metadata emitted for NestJS DI.
 * Packages the compiled code requires must be production dependencies: a devDependency fails the build
 * (the image installs `npm ci --omit=dev`). Type-checking is `npm run typecheck`'s job, not this one's.
 */

const ROOT = resolve(__dirname, '../..');

interface BuildResult {
  app: string;
  outDir: string;
  files: number;
  packages: string[];
}

interface TsConfig {
  compilerOptions: { paths: Record<string, string[]> };
}

function swcOptions(): Options {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')) as TsConfig;
  return {
    swcrc: false,
    configFile: false,
    cwd: ROOT,
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      target: 'es2022',
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true },
      baseUrl: ROOT,
      paths: tsconfig.compilerOptions.paths,
    },
    module: { type: 'commonjs' },
  };
}

/** The .ts (or .json) file a relative require of compiled code points at. */
function resolveSource(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = base.endsWith('.json') ? [base] : [`${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found !== undefined) return found;
  throw new Error(`${relative(ROOT, fromFile)}: cannot resolve '${specifier}'`);
}

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const REQUIRE = /\brequire\((["'])([^"']+)\1\)/g;

export function buildApp(app: string): BuildResult {
  const entry = join(ROOT, 'apps', app, 'src', 'main.ts');
  if (!existsSync(entry)) throw new Error(`no such app: apps/${app}/src/main.ts`);
  const outDir = join(ROOT, 'dist', 'apps', app);
  const { files, packages } = compileEntry(entry, outDir);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const notProduction = packages.filter((p) => pkg.dependencies[p] === undefined);
  if (notProduction.length > 0) {
    throw new Error(
      `apps/${app} requires ${notProduction.join(', ')}, not in package.json "dependencies" ` +
        '(the image installs production dependencies only)',
    );
  }
  // dist/apps/<app>/main.js: what `node` runs (the CLI's main.ts exports main(argv) instead of running).
  const main = `./apps/${app}/src/main.js`;
  writeFileSync(
    join(outDir, 'main.js'),
    app === 'cli'
      ? `#!/usr/bin/env node\n'use strict';\nrequire('${main}').main(process.argv);\n`
      : `#!/usr/bin/env node\n'use strict';\nrequire('${main}');\n`,
  );
  return { app, outDir, files, packages };
}

/**
 * Compiles `entry` (a workspace .ts file) and every workspace file it reaches into `outDir`, as the
 * production build does (benches use it to run their harness the way the image runs the services).
 */
export function compileEntry(entry: string, outDir: string): { files: number; packages: string[] } {
  rmSync(outDir, { recursive: true, force: true });
  const options = swcOptions();
  const builtins = new Set(builtinModules);
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = relative(ROOT, file);
    const target = join(outDir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    if (file.endsWith('.json')) {
      writeFileSync(target, readFileSync(file));
      continue;
    }
    const out = transformFileSync(file, { ...options, filename: file });
    writeFileSync(
      target,
      `${out.code}\n//# sourceMappingURL=${rel.split('/').pop()!.replace(/\.ts$/, '.js')}.map\n`,
    );
    if (out.map) writeFileSync(`${target}.map`, out.map);
    for (const [, , specifier] of out.code.matchAll(REQUIRE)) {
      if (specifier.startsWith('.')) {
        queue.push(resolveSource(file, specifier));
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
        packages.add(packageNameOf(specifier));
      }
    }
  }
  return { files: seen.size, packages: [...packages].sort() };
}

if (process.argv[1] === __filename) {
  const apps = process.argv.slice(2);
  if (apps.length === 0) {
    console.error('usage: build.ts <app> [<app>...]   (apps/<app>/src/main.ts → dist/apps/<app>/main.js)');
    process.exit(1);
  }
  for (const app of apps) {
    const result = buildApp(app);
    console.log(
      `${result.app}: ${result.files} files → ${relative(ROOT, result.outDir)}/main.js ` +
        `(packages: ${result.packages.join(', ')})`,
    );
  }
}
