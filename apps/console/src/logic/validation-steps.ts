/**
 * "Validate Certificate" in the console: the stages of @easgate/validation-pipeline (the same steps,
 * codes and fixes `easgate cert validate --live` prints), run by the vault (the stored certificate and
 * a token request signed with it) and the executor (Checking Exchange, a permission probe per cmdlet,
 * the mailbox scope).
 */
import {
  type CertificateCheck,
  certificateSteps,
  tokenStep,
  type ValidationStage,
  type ValidationStep,
} from '@easgate/validation-pipeline';

export {
  allPassed,
  plannedSteps,
  runValidation,
  type StepState,
  type ValidationStep,
} from '@easgate/validation-pipeline';

/** What the vault answers to `POST …/certificates/{id}/validate {live: true}`. */
export interface VaultValidation extends CertificateCheck {
  readonly valid: boolean;
  /** Present when the certificate checks passed and the token request was made. */
  readonly live?: {
    readonly ok: boolean;
    readonly error?: string;
    readonly errorCodes?: readonly number[];
    readonly message?: string;
  };
}

/** What the executor answers to `POST /v1/tenants/{tenant}/connection-test`. */
export interface ConnectionTest {
  readonly ok: boolean;
  readonly steps: readonly ValidationStep[];
}

export interface ValidationPorts {
  /** The vault checks the stored certificate and, when it is usable, requests a token with it. */
  readonly validateInVault: () => Promise<VaultValidation>;
  readonly testConnection: () => Promise<ConnectionTest>;
  readonly now: () => Date;
}

/** The wizard's three stages; the vault's one answer feeds the certificate and the token stages. */
export function consoleStages(ports: ValidationPorts): ValidationStage[] {
  let vault: { result: VaultValidation; durationMs: number } | undefined;
  return [
    {
      stage: 'certificate',
      run: async () => {
        const started = performance.now();
        const result = await ports.validateInVault();
        vault = { result, durationMs: Math.round(performance.now() - started) };
        return certificateSteps(result, ports.now(), vault.durationMs);
      },
    },
    {
      stage: 'token',
      run: async () => {
        const live = vault?.result.live;
        if (!vault || !live) throw new Error('the vault did not request a token');
        return [
          tokenStep(
            live.ok
              ? { ok: true }
              : {
                  ok: false,
                  ...(live.error !== undefined && { code: live.error }),
                  ...(live.errorCodes !== undefined && { aadsts: live.errorCodes }),
                  ...(live.message !== undefined && { message: live.message }),
                },
            vault.durationMs,
          ),
        ];
      },
    },
    {
      stage: 'exchange',
      run: async () => {
        const test = await ports.testConnection();
        // The vault's token step stands; the executor's own token says something only when it failed.
        return test.steps.filter((s) => s.id !== 'token' || s.state === 'failed');
      },
    },
  ];
}
