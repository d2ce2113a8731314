/**
 * The steps of "Validate Certificate", in the order they run. The console's wizard and
 * `easgate cert validate --live` show the same steps, with the same ids, labels, codes and fixes.
 */
export type StepState = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

/** The read-only cmdlet of "Checking Exchange": it changes nothing and every role may run it. */
export const READ_ONLY_CMDLET = 'Get-OrganizationConfig';

/** The cmdlet the mailbox-scope step asks which mailboxes easgate may act on. */
export const SCOPE_CMDLET = 'Get-Mailbox';

/** Every cmdlet easgate runs, each probed for permission without changing anything. */
export const REQUIRED_CMDLETS = [
  'Get-CASMailbox',
  'Get-MobileDevice',
  'Get-ActiveSyncOrganizationSettings',
  'Get-ActiveSyncDeviceAccessRule',
  'Get-MobileDeviceMailboxPolicy',
  'Set-CASMailbox',
  'Clear-MobileDevice',
  'Remove-MobileDevice',
  'Set-ActiveSyncDeviceAccessRule',
  'Set-MobileDeviceMailboxPolicy',
] as const;
export type RequiredCmdlet = (typeof REQUIRED_CMDLETS)[number];

export type PermissionStepId = `permission:${string}`;
export type StepId =
  'file' | 'key-match' | 'validity' | 'key-size' | 'token' | 'exchange' | PermissionStepId | 'mailbox-scope';

/** Which part of easgate runs a step: the certificate is checked where it is, Exchange from where easgate runs. */
export type StepStage = 'certificate' | 'token' | 'exchange';

export interface StepDefinition {
  readonly id: StepId;
  readonly label: string;
  readonly stage: StepStage;
  readonly cmdlet?: string;
  /** The failure codes that turn this step red (certificate steps; the others fail with any code). */
  readonly codes: readonly string[];
}

export interface ValidationStep {
  readonly id: StepId;
  readonly label: string;
  readonly state: StepState;
  readonly cmdlet?: string;
  readonly durationMs?: number;
  /** The failure's code (certificate code, AADSTS<n>, EXO_…). */
  readonly code?: string;
  /** What was found, or what the failure means. */
  readonly message?: string;
  /** Microsoft's own words, when a service answered with an error. */
  readonly detail?: string;
  /** What the admin must change. */
  readonly fix?: string;
  /** Something to act on although the step passed (e.g. the certificate expires soon). */
  readonly warning?: string;
}

export const CERTIFICATE_STEPS: readonly StepDefinition[] = [
  {
    id: 'file',
    label: 'File and password',
    stage: 'certificate',
    codes: [
      'WRONG_PASSWORD',
      'NOT_PKCS12',
      'UNSUPPORTED_ENCRYPTION',
      'NO_CERTIFICATE',
      'NO_PRIVATE_KEY',
      'MULTIPLE_KEYS',
    ],
  },
  {
    id: 'key-match',
    label: 'Private key matches the certificate',
    stage: 'certificate',
    codes: ['KEY_CERT_MISMATCH'],
  },
  {
    id: 'validity',
    label: 'Validity dates and days left',
    stage: 'certificate',
    codes: ['EXPIRED', 'NOT_YET_VALID'],
  },
  {
    id: 'key-size',
    label: 'Key size and signature algorithm',
    stage: 'certificate',
    codes: ['NOT_RSA', 'RSA_TOO_SMALL', 'WEAK_SIGNATURE_ALGORITHM'],
  },
];

export const TOKEN_STEP: StepDefinition = {
  id: 'token',
  label: 'Token request to Entra ID',
  stage: 'token',
  codes: [],
};

export const permissionStepId = (cmdlet: string): PermissionStepId => `permission:${cmdlet}`;

/** Every step, in order: the certificate, the token, then Exchange (read-only cmdlet, probes, scope). */
export function stepDefinitions(cmdlets: readonly string[] = REQUIRED_CMDLETS): StepDefinition[] {
  return [
    ...CERTIFICATE_STEPS,
    TOKEN_STEP,
    {
      id: 'exchange',
      label: `Checking Exchange (${READ_ONLY_CMDLET}, read-only)`,
      stage: 'exchange',
      cmdlet: READ_ONLY_CMDLET,
      codes: [],
    },
    ...cmdlets.map((cmdlet): StepDefinition => ({
      id: permissionStepId(cmdlet),
      label: `Permission to run ${cmdlet}`,
      stage: 'exchange',
      cmdlet,
      codes: [],
    })),
    {
      id: 'mailbox-scope',
      label: 'Mailbox scope',
      stage: 'exchange',
      cmdlet: SCOPE_CMDLET,
      codes: [],
    },
  ];
}

export function definitionOf(id: StepId): StepDefinition {
  const known = stepDefinitions().find((d) => d.id === id);
  if (known) return known;
  const cmdlet = id.startsWith('permission:') ? id.slice('permission:'.length) : undefined;
  return { id, label: cmdlet ? `Permission to run ${cmdlet}` : id, stage: 'exchange', codes: [], cmdlet };
}

/** The whole list before anything ran, so a screen can show every step from the start. */
export function plannedSteps(cmdlets: readonly string[] = REQUIRED_CMDLETS): ValidationStep[] {
  return stepDefinitions(cmdlets).map(({ id, label, cmdlet }) => ({
    id,
    label,
    state: 'pending',
    ...(cmdlet !== undefined && { cmdlet }),
  }));
}
