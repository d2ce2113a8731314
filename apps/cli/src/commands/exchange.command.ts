import { parseCliParameterAssignment } from '@easgate/cmdlet-schemas';
import {
  type ConnectionTestReport,
  type ExchangeClient,
  ExchangeError,
  runConnectionTest,
} from '@easgate/exchange-executor';
import type { Command } from 'commander';
import { type CertificatePasswordOptions, readCertificatePassword } from './certificate-password';
import { loadCertificate, withExchangeClient } from './exchange-connection';
import { UsageError } from './usage';
import { formatStep } from './validation-output';

/** Exit codes are part of the contract: scripts branch on them. */
export enum ExchangeExitCode {
  Ok = 0,
  UsageError = 1,
  /** Exchange or Entra refused (typed code printed), or the connection test failed. */
  ExchangeError = 2,
}

/** The flags mirror Connect-ExchangeOnline's certificate parameters. */
interface ConnectionOptions extends CertificatePasswordOptions {
  appId: string;
  organization: string;
  tenantId?: string;
  certificateFilePath: string;
  exchangeEnvironmentName: string;
  authorityHost?: string;
  connectionUri?: string;
  caFile?: string;
  json?: boolean;
}

interface InvokeOptions extends ConnectionOptions {
  param: string[];
  pageSize?: string;
}

function connectionFlags(command: Command): Command {
  return command
    .requiredOption('--app-id <guid>', 'application (client) id of the Entra app')
    .requiredOption('--organization <name.onmicrosoft.com>', 'the tenant’s .onmicrosoft.com domain')
    .option('--tenant-id <guid>', 'tenant id (default: the organization domain is used as the tenant)')
    .requiredOption('--certificate-file-path <file>', 'the .pfx/.p12 file (or PEM with certificate and key)')
    .option('--certificate-password-env <VAR>', 'environment variable holding the certificate password')
    .option('--certificate-password-stdin', 'read the certificate password from standard input')
    .option(
      '--exchange-environment-name <name>',
      'O365Default | O365USGovGCCHigh | O365USGovDoD | O365China',
      'O365Default',
    )
    .option(
      '--authority-host <https URL>',
      'override the Microsoft identity platform host (e.g. the sandbox)',
    )
    .option('--connection-uri <https URL>', 'override the Exchange Online endpoint (e.g. the sandbox)')
    .option('--ca-file <pem>', 'also trust this CA (the sandbox’s ca.pem); NODE_EXTRA_CA_CERTS works too')
    .option('--json', 'machine-readable output');
}

export function registerExchangeCommands(program: Command): void {
  const exchange = program
    .command('exchange')
    .description('run Exchange Online cmdlets with certificate-based app-only authentication');

  connectionFlags(
    exchange
      .command('invoke <cmdlet>')
      .description(
        'run one cmdlet through the admin API; every page is followed: exit 0 ok, 1 usage, 2 refused',
      )
      .option(
        '--param <Name=Value>',
        'a parameter; a JSON object/array value is sent as JSON, $null as null, anything else as text (repeatable)',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option('--page-size <n>', 'objects per page (Prefer: odata.maxpagesize)', '1000'),
  ).action(async (cmdlet: string, options: InvokeOptions) => {
    process.exitCode = await asExitCode(options, () => runInvoke(cmdlet, options));
  });

  connectionFlags(
    exchange
      .command('test')
      .description(
        'connection test: token, a read-only cmdlet, each cmdlet easgate needs, the mailbox scope: exit 0 all passed, 2 a step failed (easgate cert validate --live also checks the certificate first)',
      ),
  ).action(async (options: ConnectionOptions) => {
    process.exitCode = await asExitCode(options, () => runTest(options));
  });
}

async function runInvoke(cmdlet: string, options: InvokeOptions): Promise<ExchangeExitCode> {
  const parameters: Record<string, unknown> = {};
  for (const text of options.param) {
    const assignment = parseCliParameterAssignment(text);
    if (!assignment) throw new UsageError(`--param "${text}" is not Name=Value`);
    parameters[assignment.name] = assignment.value;
  }
  const pageSize = Number(options.pageSize ?? '1000');
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new UsageError('--page-size must be a whole number > 0');
  return withClient(options, async (client) => {
    // Streamed: each page is printed as it arrives, never the whole listing held at once.
    let count = 0;
    let done = false;
    try {
      for await (const value of client.stream(cmdlet, parameters, { pageSize })) {
        if (options.json) process.stdout.write(`${count > 0 ? ',' : '['}\n${JSON.stringify(value)}`);
        else process.stdout.write(`${count > 0 ? '\n' : ''}${formatList(value)}\n`);
        count++;
      }
      done = true;
    } finally {
      // A failure after some pages still leaves valid JSON on stdout (and the error on stderr).
      if (options.json && count > 0) process.stdout.write('\n]\n');
      else if (options.json && done) process.stdout.write('[]\n');
    }
    if (!options.json) console.error(`${count} object(s)`);
    return ExchangeExitCode.Ok;
  });
}

async function runTest(options: ConnectionOptions): Promise<ExchangeExitCode> {
  return withClient(options, async (client) => {
    const report = await runConnectionTest(client);
    console.log(options.json ? JSON.stringify(report) : describeReport(report));
    return report.ok ? ExchangeExitCode.Ok : ExchangeExitCode.ExchangeError;
  });
}

async function withClient(
  options: ConnectionOptions,
  work: (client: ExchangeClient) => Promise<ExchangeExitCode>,
): Promise<ExchangeExitCode> {
  const password = await readCertificatePassword(options);
  const signing = loadCertificate(options.certificateFilePath, password);
  return withExchangeClient(
    {
      appId: options.appId,
      organization: options.organization,
      ...(options.tenantId !== undefined && { tenantId: options.tenantId }),
      cloud: options.exchangeEnvironmentName,
      ...(options.authorityHost !== undefined && { authorityHost: options.authorityHost }),
      ...(options.connectionUri !== undefined && { exchangeEndpoint: options.connectionUri }),
      ...(options.caFile !== undefined && { caFile: options.caFile }),
    },
    signing,
    work,
  );
}

async function asExitCode(
  options: { json?: boolean },
  work: () => Promise<ExchangeExitCode>,
): Promise<ExchangeExitCode> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`easgate: ${err.message}`);
      return ExchangeExitCode.UsageError;
    }
    if (err instanceof ExchangeError) {
      const fix = err.fix;
      if (options.json) {
        console.error(
          JSON.stringify({
            code: err.code,
            message: err.message,
            retriable: err.retriable,
            ...(err.details.status !== undefined && { status: err.details.status }),
            ...(err.details.aadsts !== undefined && { aadsts: err.details.aadsts }),
            ...(fix !== undefined && { fix }),
          }),
        );
      } else {
        console.error(`easgate: ${err.code}: ${err.message}${fix ? `\n  fix: ${fix}` : ''}`);
      }
      return ExchangeExitCode.ExchangeError;
    }
    throw err;
  }
}

/** Like PowerShell's Format-List: one `Name : Value` line per property. */
function formatList(value: Record<string, unknown>): string {
  const names = Object.keys(value);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names
    .map((name) => {
      const v = value[name];
      const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
      return `${name.padEnd(width)} : ${text}`;
    })
    .join('\n');
}

function describeReport(report: ConnectionTestReport): string {
  const lines = report.steps.map(formatStep);
  lines.push(report.ok ? 'Connection test passed.' : 'Connection test FAILED.');
  return lines.join('\n');
}
