import type { ValidationStep } from '@easgate/validation-pipeline';

const MARKS: Record<ValidationStep['state'], string> = {
  pending: '....',
  running: '....',
  passed: 'PASS',
  failed: 'FAIL',
  skipped: 'SKIP',
};

/** One step as a few lines: mark, label, what was found or what the failure means, and the fix. */
export function formatStep(step: ValidationStep): string {
  const duration =
    step.durationMs !== undefined && step.state !== 'skipped' ? ` (${step.durationMs} ms)` : '';
  const lines = [`${MARKS[step.state]}  ${step.label}${duration}${step.message ? ` — ${step.message}` : ''}`];
  if (step.warning) lines.push(`      warning: ${step.warning}`);
  if (step.state === 'failed' && step.detail && step.detail !== step.message)
    lines.push(`      Microsoft said: ${step.detail}`);
  if (step.fix) lines.push(`      fix: ${step.fix}`);
  return lines.join('\n');
}

/** Prints the steps as they finish, in order, each once (for `runValidation`'s onChange). */
export function stepPrinter(write: (text: string) => void): (steps: readonly ValidationStep[]) => void {
  let printed = 0;
  return (steps) => {
    while (printed < steps.length && ['passed', 'failed', 'skipped'].includes(steps[printed].state)) {
      write(formatStep(steps[printed]));
      printed++;
    }
  };
}
