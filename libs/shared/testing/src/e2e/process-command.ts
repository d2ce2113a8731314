import { join } from 'node:path';
import { REPO_ROOT } from './paths';

export interface ProcessCommand {
  command: string;
  args: string[];
}

/** The deployables of apps/: each service, the sandbox. */
export type ServiceName =
  'cert-vault' | 'exchange-executor' | 'policy-translator' | 'alerting' | 'exo-sandbox';

/**
 * The command a container runs for a service: its entry point `apps/<name>/src/main.ts` through the
 * repo's TypeScript runner. The one place to switch the suite to a compiled `dist/` later.
 */
export function serviceCommand(name: ServiceName): ProcessCommand {
  return {
    command: process.execPath,
    args: [join(REPO_ROOT, 'tools/bin/run-ts.js'), join(REPO_ROOT, `apps/${name}/src/main.ts`)],
  };
}

/** The `easgate` CLI (tools/bin/easgate.js), e.g. `easgateCommand('start')`. */
export function easgateCommand(...args: string[]): ProcessCommand {
  return { command: process.execPath, args: [join(REPO_ROOT, 'tools/bin/easgate.js'), ...args] };
}
