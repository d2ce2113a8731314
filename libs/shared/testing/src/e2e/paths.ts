import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (libs/shared/testing/src/e2e → ../../../../..). */
export const REPO_ROOT = resolve(__dirname, '../../../../..');

/** `tmp/e2e/<label>-<time>` under the repository: every process log and the figures of one run. */
export function e2eRunDirectory(label: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(REPO_ROOT, 'tmp', 'e2e', `${label}-${stamp}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
