import { join } from 'node:path';
import { REPO_ROOT } from './paths';

export interface ProcessCommand {
  command: string;
  args: string[];
}

/** The deployables of apps/: each service, the sandbox. */
export const SERVICE_NAMES = [
  'cert-vault',
  'exchange-executor',
  'policy-translator',
  'alerting',
  'exo-sandbox',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The compiled entry point of a service, `dist/apps/<name>/main.js` (`npm run build`). */
export function compiledEntry(name: ServiceName): string {
  return join(REPO_ROOT, 'dist', 'apps', name, 'main.js');
}

/**
 * The command a container runs for a service: its compiled entry point, as the image runs it. The e2e
 * project's global setup (libs/shared/testing/src/environment/e2e-global-setup.ts) builds it when it is
 * missing or older than the sources.
 */
export function serviceCommand(name: ServiceName): ProcessCommand {
  return { command: process.execPath, args: [compiledEntry(name)] };
}

/** The `easgate` CLI (tools/bin/easgate.js), e.g. `easgateCommand('start')`. */
export function easgateCommand(...args: string[]): ProcessCommand {
  return { command: process.execPath, args: [join(REPO_ROOT, 'tools/bin/easgate.js'), ...args] };
}
