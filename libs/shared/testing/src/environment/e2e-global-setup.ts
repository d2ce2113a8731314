import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/paths';
import { compiledEntry, SERVICE_NAMES } from '../e2e/process-command';

/** The newest modification time of the TypeScript sources under `dir` (node_modules and dist left out). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The e2e suite runs the compiled apps (dist/apps/<app>/main.js): they start in a few seconds where the
 * TypeScript sources through the runner take ~28 s each. Builds them once, when missing or older than
 * any source under apps/ or libs/.
 */
export default function e2eGlobalSetup(): void {
  const sources = Math.max(newestSource(join(REPO_ROOT, 'libs')), newestSource(join(REPO_ROOT, 'apps')));
  const stale = SERVICE_NAMES.filter((name) => {
    const entry = compiledEntry(name);
    return !existsSync(entry) || statSync(entry).mtimeMs < sources;
  });
  if (stale.length === 0) return;
  process.stdout.write(`\ne2e: building ${stale.join(', ')} (dist/apps/<app>/main.js)\n`);
  execFileSync(process.execPath, [join(REPO_ROOT, 'tools/bin/run-ts.js'), 'tools/build/build.ts', ...stale], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}
