import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a scenario measured; `lost` and `doubled` must be 0 for it to pass. */
export interface ScenarioFigures {
  scenario: string;
  eventsIn: number;
  effectsExpected: number;
  effectsSeen: number;
  lost: number;
  doubled: number;
  /** From the fault (kill, cut) to the last expected effect; undefined when nothing was broken. */
  recoverMs?: number;
  /** Free-form extras, printed as key=value. */
  extra?: Record<string, string | number>;
}

/**
 * Prints one figures line (`E2E-FIGURES scenario=… events_in=… effects_expected=… effects_seen=…
 * lost=… doubled=… recover_ms=…`) to stdout and appends it to `<runDir>/figures.txt`.
 */
export function reportFigures(runDir: string, figures: ScenarioFigures): string {
  const fields: [string, string | number][] = [
    ['scenario', figures.scenario],
    ['events_in', figures.eventsIn],
    ['effects_expected', figures.effectsExpected],
    ['effects_seen', figures.effectsSeen],
    ['lost', figures.lost],
    ['doubled', figures.doubled],
    ['recover_ms', figures.recoverMs ?? '-'],
    ...Object.entries(figures.extra ?? {}),
  ];
  const line = `E2E-FIGURES ${fields.map(([k, v]) => `${k}=${String(v).replace(/\s+/g, '_')}`).join(' ')}`;
  process.stdout.write(`${line}\n`);
  appendFileSync(join(runDir, 'figures.txt'), `${line}\n`);
  return line;
}
