import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  CertificateCreationError,
  type CertificateFacts,
  type CertificateValidationResult,
  createSelfSignedCertificate,
  validateCertificate,
} from '@easgate/auth';
import type { Command } from 'commander';
import { type LiveValidateOptions, runLiveValidation } from './cert-validate-live';
import { type CertificatePasswordOptions, readCertificatePassword } from './certificate-password';
import { readInputFile, UsageError } from './usage';

/** Exit codes are part of the contract: scripts branch on them. */
export enum CertExitCode {
  Ok = 0,
  UsageError = 1,
  Rejected = 2,
}

/** `cert validate --live`: not every step is green (a red step, or a usage error on stderr). */
const LiveFailed = 1;

interface ValidateOptions extends LiveValidateOptions {
  certificateFilePath?: string;
  live?: boolean;
}

interface CreateOptions extends CertificatePasswordOptions {
  subject: string;
  days: string;
  keySize: string;
  out: string;
  publicOut?: string;
  pemOut?: string;
  keyCredentialsOut?: string;
  json?: boolean;
}

const ENTRA_EXCHANGE_RESOURCE = '00000002-0000-0ff1-ce00-000000000000';
const EXCHANGE_MANAGE_AS_APP_ROLE = 'dc50a0fb-09a3-484d-be87-e023b12c6440';
const EXCHANGE_ADMINISTRATOR_ROLE = '29232cdf-9323-42fd-ade2-1d097af3e4de';

export function registerCertCommands(program: Command): void {
  const cert = program
    .command('cert')
    .description('create and validate the certificate easgate uses to sign in to Exchange Online');

  const passwordHelp = {
    env: 'name of the environment variable that holds the password (the password itself never goes on the command line)',
    stdin: 'read the password from standard input',
    file: 'read the password from this file (its final line ending is not part of it)',
  };

  cert
    .command('validate [file]')
    .description(
      'check that a PKCS#12/PFX (or PEM) file is usable: exit 0 usable, 2 rejected, 1 usage error. ' +
        "With --live, the console's Validate Certificate step by step (certificate, token, Exchange, " +
        'permission of each cmdlet, mailbox scope): exit 0 every step green, 1 otherwise',
    )
    .option('--certificate-file-path <file>', 'the .pfx/.p12 file (or PEM with certificate and key)')
    .option('--certificate-password-env <VAR>', passwordHelp.env)
    .option('--certificate-password-file <file>', passwordHelp.file)
    .option('--certificate-password-stdin', passwordHelp.stdin)
    .option('--live', 'also request a token with it and check Exchange (needs --tenant and --client-id)')
    .option('--tenant <id or domain>', '--live: the tenant id (GUID) or its .onmicrosoft.com domain')
    .option('--client-id <guid>', '--live: the application (client) id of the Entra app')
    .option('--organization <domain>', '--live: the .onmicrosoft.com domain, when --tenant is a GUID')
    .option(
      '--cloud <name>',
      '--live: O365Default | O365USGovGCCHigh | O365USGovDoD | O365China',
      'O365Default',
    )
    .option('--authority-host <https URL>', '--live: another identity platform host (e.g. the sandbox)')
    .option('--exchange-endpoint <https URL>', '--live: another Exchange Online endpoint (e.g. the sandbox)')
    .option('--ca-file <pem>', '--live: also trust this CA (the sandbox’s ca.pem)')
    .option('--scope-filter <OPATH>', '--live: the mailbox scope’s recipient filter (EXECUTOR_SCOPES)')
    .option('--scope-group <DN>', '--live: the mailbox scope’s group')
    .option('--json', 'print one JSON object instead of text')
    .action(async (file: string | undefined, options: ValidateOptions) => {
      process.exitCode = await runValidate(file, options);
    });

  cert
    .command('create')
    .description(
      'create a self-signed certificate for the Entra app: .pfx, public .cer/.pem and keyCredentials JSON',
    )
    .requiredOption('--subject <dn>', 'subject, e.g. "CN=easgate, O=Contoso"')
    .option('--days <n>', 'validity in days (Entra accepts up to one year)', '365')
    .option('--key-size <bits>', 'RSA key size: 2048, 3072 or 4096', '2048')
    .requiredOption('--out <file.pfx>', 'where to write the PKCS#12 file (never overwritten)')
    .option('--certificate-password-env <VAR>', passwordHelp.env)
    .option('--certificate-password-stdin', passwordHelp.stdin)
    .option('--public-out <file.cer>', 'public certificate, DER (default: next to --out, .cer)')
    .option('--pem-out <file.pem>', 'public certificate, PEM')
    .option('--key-credentials-out <file.json>', 'Entra keyCredentials entry, JSON')
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: CreateOptions) => {
      process.exitCode = await runCreate(options);
    });
}

async function runValidate(file: string | undefined, options: ValidateOptions): Promise<CertExitCode> {
  return usageErrorsAsExitCode(async () => {
    if (file !== undefined && options.certificateFilePath !== undefined)
      throw new UsageError('name the file once: as an argument or with --certificate-file-path');
    const path = file ?? options.certificateFilePath;
    if (path === undefined) throw new UsageError('which file? easgate cert validate <file.pfx>');
    if (options.live) return (await runLiveValidation(path, options)) ? CertExitCode.Ok : LiveFailed;
    const password = await readCertificatePassword(options);
    const data = readInputFile(path);
    const result = validateCertificate({ data, password, now: new Date() });
    console.log(options.json ? JSON.stringify(result) : describeValidation(result, path));
    return result.valid ? CertExitCode.Ok : CertExitCode.Rejected;
  });
}

async function runCreate(options: CreateOptions): Promise<CertExitCode> {
  return usageErrorsAsExitCode(async () => {
    const days = wholeNumber(options.days, '--days');
    const keySize = wholeNumber(options.keySize, '--key-size');
    const password = await readCertificatePassword(options);
    const out = resolve(options.out);
    const publicOut = resolve(options.publicOut ?? out.replace(/\.(pfx|p12)$/i, '') + '.cer');
    let created;
    try {
      created = await createSelfSignedCertificate({
        subject: options.subject,
        days,
        keySize,
        password,
        now: new Date(),
      });
    } catch (err) {
      if (err instanceof CertificateCreationError) throw new UsageError(`${err.code}: ${err.message}`);
      throw err;
    }
    const files: Record<string, string> = { pfx: out, cer: publicOut };
    writeNew(out, created.pfx, 0o600);
    writeNew(publicOut, created.cer, 0o644);
    if (options.pemOut) {
      files['pem'] = resolve(options.pemOut);
      writeNew(files['pem'], created.pem, 0o644);
    }
    if (options.keyCredentialsOut) {
      files['keyCredentials'] = resolve(options.keyCredentialsOut);
      writeNew(files['keyCredentials'], `${JSON.stringify(created.keyCredential, null, 2)}\n`, 0o644);
    }
    if (options.json) {
      console.log(
        JSON.stringify({ certificate: created.facts, files, keyCredential: created.keyCredential }),
      );
    } else {
      console.log(describeCreation(created.facts, files, options.certificatePasswordEnv));
    }
    return CertExitCode.Ok;
  });
}

async function usageErrorsAsExitCode(work: () => Promise<CertExitCode>): Promise<CertExitCode> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`easgate: ${err.message}`);
    return CertExitCode.UsageError;
  }
}

function writeNew(path: string, content: Buffer | string, mode: number): void {
  try {
    writeFileSync(path, content, { flag: 'wx', mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `${path} already exists; easgate never overwrites a certificate file`
        : `cannot write ${path}: ${code}`,
    );
  }
}

function wholeNumber(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function daysLeft(facts: CertificateFacts): number {
  return Math.floor((Date.parse(facts.notAfter) - Date.now()) / 86_400_000);
}

function factLines(facts: CertificateFacts): string[] {
  return [
    `  Subject:            ${facts.subject}`,
    `  Issuer:             ${facts.issuer}`,
    `  Valid:              ${facts.notBefore} to ${facts.notAfter} (${daysLeft(facts)} days left)`,
    `  Thumbprint SHA-1:   ${facts.thumbprintSha1}`,
    `  Thumbprint SHA-256: ${facts.thumbprintSha256}`,
    `  Key:                ${facts.keyAlgorithm}${facts.keySize ? ` ${facts.keySize} bits` : ''}`,
    `  Signature:          ${facts.signatureAlgorithm}`,
    `  Chain:              ${facts.chainLength} certificate(s)`,
    `  Serial number:      ${facts.serialNumber}`,
  ];
}

function describeValidation(result: CertificateValidationResult, file: string): string {
  const lines = [
    result.valid
      ? `OK: ${basename(file)} is usable for Exchange Online app-only sign-in.`
      : `REJECTED: ${basename(file)} cannot be used.`,
  ];
  if (result.certificate) lines.push('', ...factLines(result.certificate));
  if (result.errors.length > 0) {
    lines.push('', 'Problems:', ...result.errors.map((e) => `  ${e.code}: ${e.message}`));
  }
  if (result.warnings.length > 0) {
    lines.push('', 'Warnings:', ...result.warnings.map((w) => `  ${w.code}: ${w.message}`));
  }
  return lines.join('\n');
}

function describeCreation(
  facts: CertificateFacts,
  files: Record<string, string>,
  passwordEnv?: string,
): string {
  const cer = files['cer'];
  const pfx = files['pfx'];
  const passwordSource = passwordEnv
    ? `--certificate-password-env ${passwordEnv}`
    : '--certificate-password-stdin';
  return [
    `Created a self-signed certificate for ${facts.subject}.`,
    '',
    ...factLines(facts),
    '',
    'Files:',
    `  Private key + certificate (keep secret): ${pfx}`,
    `  Public certificate to upload to Entra:   ${cer}`,
    ...(files['pem'] ? [`  Public certificate, PEM:                ${files['pem']}`] : []),
    ...(files['keyCredentials']
      ? [`  keyCredentials entry (app manifest):    ${files['keyCredentials']}`]
      : []),
    '',
    'Next steps (replace <app-id> with the application (client) ID and contoso with your tenant):',
    '',
    '1. Upload the public certificate to the Entra app registration',
    '   (portal: App registrations > your app > Certificates & secrets > Certificates > Upload), or:',
    `     az ad app credential reset --id <app-id> --cert "@${cer}" --append`,
    '',
    '2. Grant the Exchange.ManageAsApp application permission and give admin consent:',
    `     az ad app permission add --id <app-id> --api ${ENTRA_EXCHANGE_RESOURCE} --api-permissions ${EXCHANGE_MANAGE_AS_APP_ROLE}=Role`,
    '     az ad app permission admin-consent --id <app-id>',
    '',
    "3. Let the app act in Exchange: assign the Exchange Administrator role to the app's service principal,",
    '     SP_ID=$(az ad sp show --id <app-id> --query id -o tsv)',
    '     az rest --method POST --url https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments \\',
    `       --body "{\\"principalId\\":\\"$SP_ID\\",\\"roleDefinitionId\\":\\"${EXCHANGE_ADMINISTRATOR_ROLE}\\",\\"directoryScopeId\\":\\"/\\"}"`,
    '   or, for least privilege, an Exchange RBAC role group (Exchange Online PowerShell):',
    '     New-ServicePrincipal -AppId <app-id> -ObjectId <SP_ID> -DisplayName easgate',
    '     Add-RoleGroupMember -Identity "<role group>" -Member <SP_ID>',
    '',
    '4. Check the result:',
    `     easgate cert validate --certificate-file-path "${pfx}" ${passwordSource}`,
    `     Connect-ExchangeOnline -CertificateFilePath "${pfx}" -CertificatePassword (Read-Host -AsSecureString) -AppId <app-id> -Organization contoso.onmicrosoft.com`,
  ].join('\n');
}
