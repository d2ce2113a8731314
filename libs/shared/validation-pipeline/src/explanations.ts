/** What each failure of "Validate Certificate" means and how the admin fixes it: one table for every face. */
export interface Explanation {
  readonly meaning: string;
  readonly fix: string;
}

export const CERTIFICATE_EXPLANATIONS: Readonly<Record<string, Explanation>> = {
  WRONG_PASSWORD: {
    meaning: 'the password does not open the PFX',
    fix: 'Enter the password the PFX was exported with.',
  },
  NOT_PKCS12: {
    meaning: 'the file is neither a PKCS#12 (.pfx/.p12) nor a PEM with a certificate and key',
    fix: 'Export the certificate "with the private key" as a .pfx.',
  },
  UNSUPPORTED_ENCRYPTION: {
    meaning: 'the PFX is encrypted with an algorithm easgate cannot open',
    fix: 'Export it again with AES-256 (Windows: "AES256-SHA256"; OpenSSL 3 default).',
  },
  NO_CERTIFICATE: {
    meaning: 'the file holds a key but no certificate',
    fix: 'Export the certificate together with its private key.',
  },
  NO_PRIVATE_KEY: {
    meaning: 'the file holds no private key',
    fix: 'Export the certificate again "with the private key" (.pfx), not the .cer.',
  },
  MULTIPLE_KEYS: {
    meaning: 'the file holds more than one private key',
    fix: 'Export only the certificate registered on the app.',
  },
  KEY_CERT_MISMATCH: {
    meaning: 'the private key does not belong to the certificate',
    fix: 'Export the PFX again from the machine that holds the matching private key.',
  },
  EXPIRED: {
    meaning: 'the certificate has expired',
    fix: 'Create or import a new certificate and register it on the app.',
  },
  NOT_YET_VALID: {
    meaning: 'the certificate is not valid yet',
    fix: 'Check the clock of the machine that made the certificate, or wait for its start date.',
  },
  NOT_RSA: {
    meaning: 'the key is not RSA',
    fix: 'Entra app-only sign-in needs an RSA key: create an RSA certificate.',
  },
  RSA_TOO_SMALL: {
    meaning: 'the RSA key is shorter than 2048 bits',
    fix: 'Create a certificate with an RSA key of 2048 bits or more.',
  },
  WEAK_SIGNATURE_ALGORITHM: {
    meaning: 'the certificate is signed with SHA-1 or MD5',
    fix: 'Re-issue the certificate with SHA-256.',
  },
};

/** The AADSTS codes an admin meets when easgate asks Entra ID for an app-only token (reference §1.4). */
export const AADSTS_EXPLANATIONS: Readonly<Record<number, Explanation>> = {
  700016: {
    meaning: 'the application (client) id is not found in the tenant',
    fix: 'Check the application (client) id and the tenant id.',
  },
  700027: {
    meaning: 'the certificate is not registered on the app',
    fix: 'Upload the .cer (or the keyCredentials JSON) to the app registration in Entra (Certificates & secrets).',
  },
  7000229: {
    meaning:
      'the app has no service principal in this tenant: admin consent was never granted here, or it was revoked',
    fix: 'Grant admin consent again: Entra → App registrations → your app → API permissions → Grant admin consent (Exchange.ManageAsApp).',
  },
  65001: {
    meaning: 'admin consent has not been granted',
    fix: 'Entra → API permissions → Grant admin consent for Exchange.ManageAsApp.',
  },
  7000215: {
    meaning: 'a client secret was presented instead of the certificate',
    fix: 'Sign in with the certificate, not a secret.',
  },
  7000218: {
    meaning: 'the request carried neither a client assertion nor a secret',
    fix: 'Check the certificate easgate signs with.',
  },
  90002: {
    meaning: 'the tenant is not found',
    fix: 'Check the tenant id (or the organization domain) and the cloud.',
  },
  700024: {
    meaning: 'the client assertion is outside its validity window',
    fix: 'Check the clock of the easgate host (NTP).',
  },
  700021: {
    meaning: 'the client assertion was refused',
    fix: 'Check the certificate (key matches, dates valid) and the clock of the easgate host.',
  },
  700023: {
    meaning: 'the client assertion names the wrong audience',
    fix: 'Check the cloud (authority host) of the tenant connection.',
  },
  50027: {
    meaning: 'the client assertion is not a valid token',
    fix: 'Check the certificate (key matches, dates valid) and the clock of the easgate host.',
  },
  70011: {
    meaning: 'the requested scope is not valid',
    fix: 'Check the cloud: the Exchange endpoint of the tenant connection decides the scope.',
  },
  500011: {
    meaning: 'Exchange Online is not found in the tenant',
    fix: 'Check the tenant has Exchange Online, and the cloud of the tenant connection.',
  },
  50196: {
    meaning: 'Entra throttled the token requests (a loop)',
    fix: 'Wait a minute and validate again.',
  },
  90055: {
    meaning: 'Entra throttled the token requests',
    fix: 'Wait a minute and validate again.',
  },
};

/** The Exchange failures of the Exchange steps (codes of the executor's ExchangeError, and the scope step's). */
export const EXCHANGE_EXPLANATIONS: Readonly<Record<string, Explanation>> = {
  // Token time, when Entra's answer carried no AADSTS code this module knows.
  EXO_CERTIFICATE_NOT_REGISTERED: {
    meaning: 'the certificate is not registered on the app',
    fix: "Upload the certificate's public part (.cer) to the Entra app (Certificates & secrets), or use the certificate that is registered.",
  },
  EXO_ASSERTION_REJECTED: {
    meaning: 'Entra refused the client assertion',
    fix: 'Check the certificate (key matches, dates valid) and the machine clock; the client assertion was refused.',
  },
  EXO_APP_NOT_FOUND: {
    meaning: 'the app is not registered in the tenant',
    fix: 'Check the application (client) id and the tenant: the app is not registered there.',
  },
  EXO_SERVICE_PRINCIPAL_MISSING: {
    meaning: 'the app has no service principal in this tenant (no admin consent here, or it was revoked)',
    fix: 'Grant admin consent in this tenant (the multi-tenant app has no service principal here).',
  },
  EXO_TENANT_NOT_FOUND: {
    meaning: 'the tenant is not found',
    fix: 'Check the tenant id / organization and the cloud (--exchange-environment-name).',
  },
  // Admin API.
  EXO_CMDLET_NOT_ALLOWED: {
    meaning: 'Exchange RBAC does not let the app run this cmdlet',
    fix: 'Assign the app a role that allows this cmdlet (Exchange Administrator, or an Exchange role group with the needed roles).',
  },
  EXO_MISSING_ROLE: {
    meaning: 'the app has no Exchange.ManageAsApp consent or no supported directory role',
    fix: 'Grant admin consent for Office 365 Exchange Online / Exchange.ManageAsApp and assign the app a supported Entra role (e.g. Exchange Administrator).',
  },
  EXO_UNAUTHORIZED: {
    meaning: 'Exchange refused the token',
    fix: 'Exchange refused the token: check the app has the Exchange.ManageAsApp permission for this cloud.',
  },
  EXO_THROTTLED: { meaning: 'Exchange throttled the requests', fix: 'Wait a minute and validate again.' },
  EXO_UNAVAILABLE: { meaning: 'Exchange is unavailable', fix: 'Wait a minute and validate again.' },
  EXO_TIMEOUT: {
    meaning: 'Exchange did not answer in time',
    fix: 'Check the network path to Exchange Online and validate again.',
  },
  EXO_NETWORK: {
    meaning: 'Exchange could not be reached',
    fix: 'Check DNS, the proxy and the firewall towards Exchange Online.',
  },
  EXO_ASSERTION_UNAVAILABLE: {
    meaning: 'the certificate could not sign the token request',
    fix: 'Check the tenant connection has an active certificate in the vault.',
  },
  SCOPE_EMPTY: {
    meaning: 'no mailbox is inside the configured scope',
    fix: 'Check the scope (EXECUTOR_SCOPES): the recipient filter or the group must match the mailboxes easgate manages.',
  },
  SCOPE_INVALID: {
    meaning: 'Exchange rejected the scope filter',
    fix: "Write the recipient filter in OPATH (e.g. Department -eq 'Sales'); a group is given by its DistinguishedName.",
  },
};

const AADSTS_IN_TEXT = /AADSTS(\d{5,8})/;

export interface Failure {
  /** A certificate code, EXO_…, SCOPE_…, or the OAuth error (invalid_client…) when Entra refused. */
  readonly code?: string;
  /** The AADSTS numbers of a refused token request (the first known one explains it). */
  readonly aadsts?: number | readonly number[];
  /** The service's own words. */
  readonly message?: string;
}

export interface ExplainedFailure {
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly fix: string;
}

/** A failure in the admin's words: AADSTS first (Entra's verdict), then the code's entry, else the raw text. */
export function explainFailure(failure: Failure, fallbackFix: string): ExplainedFailure {
  const numbers = [
    ...(failure.aadsts === undefined
      ? []
      : typeof failure.aadsts === 'number'
        ? [failure.aadsts]
        : failure.aadsts),
  ];
  const inText = failure.message ? AADSTS_IN_TEXT.exec(failure.message) : null;
  if (inText) numbers.push(Number(inText[1]));
  const aadsts = numbers.find((n) => AADSTS_EXPLANATIONS[n] !== undefined);
  const detail = failure.message ? { detail: failure.message } : {};
  if (aadsts !== undefined) {
    const known = AADSTS_EXPLANATIONS[aadsts];
    return {
      code: `AADSTS${aadsts}`,
      message: `AADSTS${aadsts}: ${known.meaning}`,
      fix: known.fix,
      ...detail,
    };
  }
  const code = failure.code ?? (numbers[0] !== undefined ? `AADSTS${numbers[0]}` : 'FAILED');
  const known = CERTIFICATE_EXPLANATIONS[code] ?? EXCHANGE_EXPLANATIONS[code];
  if (known) return { code, message: `${code}: ${known.meaning}`, fix: known.fix, ...detail };
  return { code, message: failure.message ? `${code}: ${failure.message}` : code, fix: fallbackFix };
}
