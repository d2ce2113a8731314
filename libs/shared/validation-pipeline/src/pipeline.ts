import { CERTIFICATE_EXPLANATIONS, explainFailure, type Failure } from './explanations';
import {
  CERTIFICATE_STEPS,
  definitionOf,
  plannedSteps,
  type StepId,
  type StepStage,
  type ValidationStep,
} from './steps';

const DAY_MS = 86_400_000;

/** The offline verdict on a certificate (`validateCertificate` of @easgate/auth, or the vault's). */
export interface CertificateCheck {
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
  readonly certificate?: {
    readonly notAfter: string;
    readonly keySize: number | null;
    readonly keyAlgorithm: string;
    readonly signatureAlgorithm: string;
  };
}

/** How a token request ended (the vault's live check, or the local client). */
export type TokenOutcome =
  { readonly ok: true; readonly message?: string } | ({ readonly ok: false } & Failure);

const TOKEN_FALLBACK_FIX =
  'Check the tenant id, the application (client) id, the certificate registered on the app and the admin consent.';
const EXCHANGE_FALLBACK_FIX =
  'Validate again; if it keeps failing, check the network path to Exchange Online.';

function step(id: StepId, fields: Omit<ValidationStep, 'id' | 'label'>): ValidationStep {
  const definition = definitionOf(id);
  return {
    id,
    label: definition.label,
    ...(definition.cmdlet !== undefined && { cmdlet: definition.cmdlet }),
    ...fields,
  };
}

export function passedStep(id: StepId, message: string | undefined, durationMs: number): ValidationStep {
  return step(id, { state: 'passed', durationMs, ...(message !== undefined && { message }) });
}

export function failedStep(id: StepId, failure: Failure, durationMs: number): ValidationStep {
  const fallback = definitionOf(id).stage === 'token' ? TOKEN_FALLBACK_FIX : EXCHANGE_FALLBACK_FIX;
  return step(id, { state: 'failed', durationMs, ...explainFailure(failure, fallback) });
}

export function skippedStep(id: StepId, because = 'not run: an earlier step failed'): ValidationStep {
  return step(id, { state: 'skipped', message: because });
}

/** The certificate steps: each fails with the first error of its codes, else passes with what was found. */
export function certificateSteps(check: CertificateCheck, now: Date, durationMs = 0): ValidationStep[] {
  const opened = check.certificate !== undefined;
  return CERTIFICATE_STEPS.map(({ id, codes }) => {
    const error = check.errors.find((e) => codes.includes(e.code));
    if (error) {
      const fix = CERTIFICATE_EXPLANATIONS[error.code]?.fix;
      return step(id, {
        state: 'failed',
        durationMs,
        code: error.code,
        message: error.message,
        ...(fix !== undefined && { fix }),
      });
    }
    if (!opened && id !== 'file') return skippedStep(id, 'not run: the file could not be opened');
    return step(id, { state: 'passed', durationMs, ...certificateFacts(id, check, now) });
  });
}

function certificateFacts(
  id: StepId,
  check: CertificateCheck,
  now: Date,
): Pick<ValidationStep, 'message' | 'warning'> {
  const facts = check.certificate;
  if (!facts) return {};
  switch (id) {
    case 'validity': {
      const days = Math.floor((Date.parse(facts.notAfter) - now.getTime()) / DAY_MS);
      const soon = check.warnings.find((w) => w.code === 'EXPIRES_SOON');
      return {
        message: `valid until ${facts.notAfter.slice(0, 10)} (${days} days left)`,
        ...(soon && { warning: soon.message }),
      };
    }
    case 'key-size':
      return {
        message: `${facts.keyAlgorithm.toUpperCase()} ${facts.keySize ?? '?'} bits, ${facts.signatureAlgorithm}`,
      };
    case 'file':
      return { message: 'opened with the password' };
    case 'key-match':
      return { message: 'the private key belongs to the certificate' };
    case 'token':
    case 'exchange':
    case 'mailbox-scope':
      return {};
    default:
      return {};
  }
}

export function tokenStep(outcome: TokenOutcome, durationMs: number): ValidationStep {
  return outcome.ok
    ? passedStep('token', outcome.message ?? 'an app-only token for Exchange Online was issued', durationMs)
    : failedStep('token', outcome, durationMs);
}

/** Replaces the steps with the same id; steps with new ids are added in the order given. */
export function mergeSteps(
  current: readonly ValidationStep[],
  results: readonly ValidationStep[],
): ValidationStep[] {
  const byId = new Map(results.map((s) => [s.id, s]));
  const merged = current.map((s) => byId.get(s.id) ?? s);
  const known = new Set(current.map((s) => s.id));
  return [...merged, ...results.filter((s) => !known.has(s.id))];
}

export function allPassed(steps: readonly ValidationStep[]): boolean {
  return steps.length > 0 && steps.every((s) => s.state === 'passed');
}

export function anyFailed(steps: readonly ValidationStep[]): boolean {
  return steps.some((s) => s.state === 'failed');
}

/** One stage of the pipeline: the steps of a stage, computed in one go by whoever can (the vault, the executor, the CLI). */
export interface ValidationStage {
  readonly stage: StepStage;
  readonly run: () => Promise<readonly ValidationStep[]>;
}

/**
 * Runs the stages in order and reports every change: a stage's steps turn `running`, then take their
 * results; once a step is red, the later stages are skipped (no token without a usable certificate,
 * no Exchange without a token).
 */
export async function runValidation(
  stages: readonly ValidationStage[],
  onChange: (steps: readonly ValidationStep[]) => void,
  planned: readonly ValidationStep[] = plannedSteps(),
): Promise<ValidationStep[]> {
  let steps = [...planned];
  const stageOf = (s: ValidationStep) => definitionOf(s.id).stage;
  onChange(steps);
  for (const { stage, run } of stages) {
    if (anyFailed(steps)) {
      steps = steps.map((s) => (s.state === 'pending' && stageOf(s) === stage ? skippedStep(s.id) : s));
      onChange(steps);
      continue;
    }
    steps = steps.map((s) =>
      s.state === 'pending' && stageOf(s) === stage ? { ...s, state: 'running' } : s,
    );
    onChange(steps);
    let results: readonly ValidationStep[];
    try {
      results = await run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      results = steps
        .filter((s) => s.state === 'running')
        .map((s, index) =>
          index === 0 ? failedStep(s.id, { code: 'FAILED', message }, 0) : skippedStep(s.id),
        );
    }
    steps = mergeSteps(steps, results).map((s) =>
      s.state === 'running' ? skippedStep(s.id, 'not reported') : s,
    );
    onChange(steps);
  }
  return steps.map((s) => (s.state === 'pending' ? skippedStep(s.id) : s));
}
