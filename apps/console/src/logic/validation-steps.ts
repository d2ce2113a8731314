/**
 * The "Validate Certificate" pipeline as the console shows it: the vault's checks of the stored
 * certificate (file, key, dates, key size and signature), its token request, then the executor's
 * Exchange checks (a read-only cmdlet, a permission probe per cmdlet easgate needs, the mailbox scope).
 */
export type StepState = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

export interface ValidationStep {
  readonly id: string;
  readonly label: string;
  readonly state: StepState;
  readonly durationMs?: number;
  readonly message?: string;
  readonly fix?: string;
}

export interface Finding {
  readonly code: string;
  readonly message: string;
}

export interface VaultValidation {
  readonly valid: boolean;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  readonly certificate?: {
    readonly notAfter: string;
    readonly keySize: number | null;
    readonly keyAlgorithm: string;
    readonly signatureAlgorithm: string;
  };
  readonly live?: {
    readonly ok: boolean;
    readonly error?: string;
    readonly errorCodes?: readonly number[];
    readonly message?: string;
  };
}

export interface ConnectionTestStep {
  readonly step: string;
  readonly cmdlet?: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly code?: string;
  readonly message?: string;
  readonly fix?: string;
}

export const VAULT_STEPS = [
  {
    id: 'file',
    label: 'File and password',
    codes: [
      'WRONG_PASSWORD',
      'NOT_PKCS12',
      'UNSUPPORTED_ENCRYPTION',
      'NO_CERTIFICATE',
      'NO_PRIVATE_KEY',
      'MULTIPLE_KEYS',
    ],
  },
  { id: 'key-match', label: 'Private key matches the certificate', codes: ['KEY_CERT_MISMATCH'] },
  { id: 'validity', label: 'Validity dates and days left', codes: ['EXPIRED', 'NOT_YET_VALID'] },
  {
    id: 'key-size',
    label: 'Key size and signature algorithm',
    codes: ['NOT_RSA', 'RSA_TOO_SMALL', 'WEAK_SIGNATURE_ALGORITHM'],
  },
] as const;

const FIXES: Record<string, string> = {
  WRONG_PASSWORD: 'Enter the password the PFX was exported with.',
  KEY_CERT_MISMATCH: 'Export the PFX again from the machine that holds the matching private key.',
  EXPIRED: 'Create or import a new certificate and register it on the app.',
  NOT_YET_VALID: 'Check the clock of the machine that made the certificate, or wait for its start date.',
  RSA_TOO_SMALL: 'Create a certificate with an RSA key of 2048 bits or more.',
  NOT_RSA: 'Entra app-only authentication here needs an RSA key.',
  WEAK_SIGNATURE_ALGORITHM: 'Re-issue the certificate with SHA-256.',
};

/** What the AADSTS codes an admin meets mean, and how to fix each. */
export const AADSTS: Record<number, { meaning: string; fix: string }> = {
  700016: {
    meaning: 'the application id is not found in the tenant',
    fix: 'Check the application (client) id and the tenant id.',
  },
  700027: {
    meaning: 'the certificate is not registered on the app (or its assertion is invalid)',
    fix: 'Upload the .cer (or the keyCredentials JSON) to the app registration in Entra.',
  },
  7000215: {
    meaning: 'an invalid client secret was presented',
    fix: 'The app must use the certificate, not a secret.',
  },
  65001: {
    meaning: 'admin consent has not been granted',
    fix: 'In Entra, API permissions → Grant admin consent for Exchange.ManageAsApp.',
  },
  90002: {
    meaning: 'the tenant is not found',
    fix: 'Check the tenant id (or the organization domain) and the cloud.',
  },
  700024: {
    meaning: 'the assertion is outside its validity window',
    fix: 'Check the clock of the easgate host (NTP).',
  },
};

export function explainTokenFailure(live: NonNullable<VaultValidation['live']>): {
  message: string;
  fix: string;
} {
  const code = live.errorCodes?.find((c) => AADSTS[c] !== undefined);
  if (code !== undefined) return { message: `AADSTS${code}: ${AADSTS[code].meaning}`, fix: AADSTS[code].fix };
  return {
    message: [live.error, live.message].filter(Boolean).join(': ') || 'the token request failed',
    fix: 'Check the tenant id, the app id, the certificate registered on the app and the admin consent.',
  };
}

/** The vault's verdict as steps: a step fails with the first error of its codes, else passes. */
export function vaultSteps(result: VaultValidation, durationMs: number, now: Date): ValidationStep[] {
  const steps: ValidationStep[] = VAULT_STEPS.map(({ id, label, codes }) => {
    const error = result.errors.find((e) => (codes as readonly string[]).includes(e.code));
    if (error)
      return {
        id,
        label,
        state: 'failed',
        durationMs,
        message: error.message,
        ...(FIXES[error.code] && { fix: FIXES[error.code] }),
      };
    return { id, label, state: 'passed', durationMs, message: passedMessage(id, result, now) };
  });
  const live = result.live;
  const offlineOk = steps.every((s) => s.state === 'passed');
  steps.push(
    !offlineOk || !live
      ? {
          id: 'token',
          label: 'Token request to Entra ID',
          state: 'skipped',
          message: 'the certificate checks failed',
        }
      : live.ok
        ? {
            id: 'token',
            label: 'Token request to Entra ID',
            state: 'passed',
            durationMs,
            message: 'an app-only token for Exchange was issued',
          }
        : {
            id: 'token',
            label: 'Token request to Entra ID',
            state: 'failed',
            durationMs,
            ...explainTokenFailure(live),
          },
  );
  return steps;
}

function passedMessage(id: string, result: VaultValidation, now: Date): string | undefined {
  const facts = result.certificate;
  if (!facts) return undefined;
  switch (id) {
    case 'validity': {
      const days = Math.floor((new Date(facts.notAfter).getTime() - now.getTime()) / 86_400_000);
      return `valid until ${facts.notAfter.slice(0, 10)} (${days} days left)`;
    }
    case 'key-size':
      return `${facts.keyAlgorithm.toUpperCase()} ${facts.keySize ?? '?'} bits, ${facts.signatureAlgorithm}`;
    default:
      return undefined;
  }
}

/** The executor's connection test as steps (its own names: token, "Checking Exchange", probes, scope). */
export function exchangeSteps(steps: readonly ConnectionTestStep[]): ValidationStep[] {
  return steps.map((s, index) => ({
    id: `exchange-${index}`,
    label: s.cmdlet ? `${labelOf(s.step)}: ${s.cmdlet}` : labelOf(s.step),
    state: s.outcome,
    durationMs: s.durationMs,
    ...(s.message !== undefined && { message: s.code ? `${s.code}: ${s.message}` : s.message }),
    ...(s.fix !== undefined && { fix: s.fix }),
  }));
}

function labelOf(step: string): string {
  const known: Record<string, string> = {
    token: 'Token for Exchange Online',
    'read-only cmdlet': 'Checking Exchange (a read-only cmdlet)',
    'cmdlet permission': 'Permission probe',
  };
  return known[step] ?? step;
}

export function allPassed(steps: readonly ValidationStep[]): boolean {
  return steps.length > 0 && steps.every((s) => s.state === 'passed');
}
