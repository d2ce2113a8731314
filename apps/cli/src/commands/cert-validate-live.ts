import { validateCertificate } from '@easgate/auth';
import { type ExchangeClient, ExchangeError, runConnectionTest } from '@easgate/exchange-executor';
import {
  allPassed,
  certificateSteps,
  runValidation,
  tokenStep,
  type TokenOutcome,
} from '@easgate/validation-pipeline';
import { type CertificatePasswordOptions, readCertificatePassword } from './certificate-password';
import { type ExchangeTarget, loadCertificate, openExchangeClient } from './exchange-connection';
import { readInputFile, UsageError } from './usage';
import { stepPrinter } from './validation-output';

export interface LiveValidateOptions extends CertificatePasswordOptions {
  tenant?: string;
  clientId?: string;
  organization?: string;
  cloud: string;
  authorityHost?: string;
  exchangeEndpoint?: string;
  caFile?: string;
  scopeFilter?: string;
  scopeGroup?: string;
  json?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `easgate cert validate --live`: the console's "Validate Certificate" from a shell — the certificate
 * checks on the local file, a token request signed with it, then the Exchange checks — printed step by
 * step (or as one JSON object). True when every step is green.
 */
export async function runLiveValidation(file: string, options: LiveValidateOptions): Promise<boolean> {
  const target = exchangeTarget(options);
  const password = await readCertificatePassword(options);
  const data = readInputFile(file);
  const scope = {
    ...(options.scopeFilter !== undefined && { recipientRestrictionFilter: options.scopeFilter }),
    ...(options.scopeGroup !== undefined && { policyScopeGroupId: options.scopeGroup }),
  };
  const print = options.json ? () => undefined : stepPrinter((text) => console.log(text));

  let certificate: ReturnType<typeof validateCertificate>['certificate'];
  // Opened once the certificate steps are green; the token and Exchange stages share it (and its token).
  let opened: { client: ExchangeClient; close: () => Promise<void> } | undefined;
  const client = () => {
    opened ??= openExchangeClient(target, loadCertificate(file, password));
    return opened.client;
  };
  try {
    const steps = await runValidation(
      [
        {
          stage: 'certificate',
          run: async () => {
            const now = new Date();
            const started = Date.now();
            const result = validateCertificate({ data, password, now });
            certificate = result.certificate;
            return certificateSteps(result, now, Date.now() - started);
          },
        },
        {
          stage: 'token',
          run: async () => {
            const started = Date.now();
            const outcome = await requestToken(client());
            return [tokenStep(outcome, Date.now() - started)];
          },
        },
        {
          stage: 'exchange',
          run: async () => {
            const report = await runConnectionTest(client(), Object.keys(scope).length > 0 ? { scope } : {});
            // The token step ran just before; the report's own (from the token cache) says nothing new.
            return report.steps.filter((s) => s.id !== 'token' || s.state !== 'passed');
          },
        },
      ],
      print,
    );
    const ok = allPassed(steps);
    if (options.json) console.log(JSON.stringify({ ok, certificate, steps }));
    else console.log(ok ? 'Validate Certificate: every step passed.' : 'Validate Certificate: FAILED.');
    return ok;
  } finally {
    await opened?.close();
  }
}

async function requestToken(client: ExchangeClient): Promise<TokenOutcome> {
  try {
    await client.acquireToken();
    return {
      ok: true,
      message: `token issued by ${client.endpoints.cloud.authorityHost} for ${client.endpoints.tokenScope}`,
    };
  } catch (err) {
    if (!(err instanceof ExchangeError)) throw err;
    return {
      ok: false,
      code: err.code,
      message: err.message,
      ...(err.details.aadsts !== undefined && { aadsts: err.details.aadsts }),
    };
  }
}

function exchangeTarget(options: LiveValidateOptions): ExchangeTarget {
  const { tenant, clientId } = options;
  if (!tenant || !clientId) throw new UsageError('--live needs --tenant and --client-id');
  const organization = options.organization ?? (GUID.test(tenant) ? undefined : tenant);
  if (!organization)
    throw new UsageError(
      '--tenant is a GUID: give the organization domain too (--organization contoso.onmicrosoft.com)',
    );
  return {
    appId: clientId,
    organization,
    ...(GUID.test(tenant) && { tenantId: tenant }),
    cloud: options.cloud,
    ...(options.authorityHost !== undefined && { authorityHost: options.authorityHost }),
    ...(options.exchangeEndpoint !== undefined && { exchangeEndpoint: options.exchangeEndpoint }),
    ...(options.caFile !== undefined && { caFile: options.caFile }),
  };
}
