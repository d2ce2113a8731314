/** What an operator does about an Entra (AADSTS) failure of app-only authentication. */
export interface EntraFailureAdvice {
  readonly cause: string;
  readonly fix: string;
}

const ADVICE: Record<string, EntraFailureAdvice> = {
  '700027': {
    cause:
      'the certificate used to sign the client assertion is not registered on the Entra app (key not uploaded)',
    fix: "Upload the certificate's public key (.cer) to the app registration (Certificates & secrets), or let the vault upload it with Graph addKey.",
  },
  '700024': {
    cause: 'the client assertion is outside its valid time range',
    fix: 'Check the clock of the host signing assertions (NTP) and the validity dates of the certificate.',
  },
  '700016': {
    cause: 'the application id was not found in the tenant',
    fix: 'Check the app (client) id and tenant configured for this tenant connection.',
  },
  '7000229': {
    cause: 'the multi-tenant app has no service principal in this tenant (consent missing)',
    fix: 'Have a Global Administrator grant admin consent to the app in this tenant.',
  },
  '65001': {
    cause: 'admin consent is missing',
    fix: 'Grant admin consent for Office 365 Exchange Online / Exchange.ManageAsApp on the app registration.',
  },
  '500011': {
    cause:
      'the resource principal (Office 365 Exchange Online) was not found in the tenant (consent missing)',
    fix: 'Grant admin consent for the Exchange.ManageAsApp permission so the resource principal is added to the tenant.',
  },
  '90002': {
    cause: 'the tenant was not found',
    fix: 'Check the tenant id or domain and the cloud (global, GCC High, China) of the tenant connection.',
  },
  '7000112': {
    cause: 'the application is disabled',
    fix: 'Re-enable the app registration / its service principal in Entra.',
  },
  '70001': {
    cause: 'the application is disabled',
    fix: 'Re-enable the app registration / its service principal in Entra.',
  },
  '90055': {
    cause: 'Entra is throttling token requests for the tenant',
    fix: 'Reduce token requests (tokens are cached per tenant for about an hour); check for a restart loop.',
  },
};

const GENERIC: EntraFailureAdvice = {
  cause: 'Entra rejected the app-only token request',
  fix: 'Look up the AADSTS code, then re-run `easgate cert validate` for the tenant.',
};

export function adviceForAadsts(code: string): EntraFailureAdvice {
  return ADVICE[code] ?? GENERIC;
}

export const ROLE_MISSING_ADVICE: EntraFailureAdvice = {
  cause:
    'the app has a token but no Exchange role allows the cmdlet (Exchange.ManageAsApp consent or role assignment missing)',
  fix: "Grant admin consent for Exchange.ManageAsApp, then assign the app's service principal the Exchange Administrator role or add it to an Exchange role group (Add-RoleGroupMember).",
};

/**
 * The executor's token-time error codes (exchange-executor ExchangeErrorCode), for results whose
 * message lost the AADSTS number.
 */
const AADSTS_OF_EXECUTOR_CODE: Record<string, string> = {
  EXO_CERTIFICATE_NOT_REGISTERED: '700027',
  EXO_ASSERTION_REJECTED: '700024',
  EXO_APP_NOT_FOUND: '700016',
  EXO_SERVICE_PRINCIPAL_MISSING: '7000229',
  EXO_TENANT_NOT_FOUND: '90002',
};

/** Token throttling (AADSTS50196 loop detected, 90055 tenant throttling) passes by itself: not an auth alert. */
const TRANSIENT_AADSTS = new Set(['50196', '90055']);

/** Finds the AADSTS code of an auth failure (`AADSTS700027: …` → `700027`); undefined when not one, or transient. */
export function aadstsCodeOf(code: string, message: string): string | undefined {
  const found = /AADSTS(\d{4,8})/.exec(`${code} ${message}`)?.[1] ?? AADSTS_OF_EXECUTOR_CODE[code];
  return found !== undefined && !TRANSIENT_AADSTS.has(found) ? found : undefined;
}

/** Whether an Exchange failure says the app lacks the role (401 RBAC refusal, 403, unsupported role). */
export function isRoleMissing(code: string, message: string): boolean {
  return (
    /MISSING_ROLE|ROLE_MISSING|CMDLET_NOT_ALLOWED|FORBIDDEN|RBAC|^EXO_UNAUTHORIZED$/i.test(code) ||
    /role assigned to application|isn't supported in this scenario|not allowed to call|missing (the )?role/i.test(
      message,
    )
  );
}
