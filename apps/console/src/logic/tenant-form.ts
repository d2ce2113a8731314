/** The Office 365 tenant form of the wizard: checks, and what the vault is sent. */
export const Clouds = [
  { value: 'O365Default', label: 'Global' },
  { value: 'O365USGovGCCHigh', label: 'GCC High' },
  { value: 'O365USGovDoD', label: 'DoD' },
  { value: 'O365China', label: 'China (21Vianet)' },
] as const;

export interface TenantForm {
  readonly tenantId: string;
  readonly appId: string;
  readonly organization: string;
  readonly cloud: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORGANIZATION = /^[a-z0-9-]+\.onmicrosoft\.(com|us|de)$|^[a-z0-9-]+\.partner\.onmschina\.cn$/i;

/** The problems of each field, by field name (empty when the form can be sent). */
export function tenantFormErrors(form: TenantForm): Partial<Record<keyof TenantForm, string>> {
  const errors: Partial<Record<keyof TenantForm, string>> = {};
  if (!GUID.test(form.tenantId.trim()))
    errors.tenantId = 'The tenant id is a GUID (Entra → Overview → Tenant ID).';
  if (!GUID.test(form.appId.trim()))
    errors.appId = 'The application (client) id is a GUID (Entra → App registrations → your app).';
  if (!ORGANIZATION.test(form.organization.trim()))
    errors.organization = 'The organization is the *.onmicrosoft.com domain of the tenant.';
  if (!Clouds.some((c) => c.value === form.cloud)) errors.cloud = 'Choose the cloud of the tenant.';
  return errors;
}

/** Why a password-based service account is not offered (shown beside the greyed-out choice). */
export const BASIC_AUTH_REASON =
  'Microsoft retired Basic authentication for Exchange Online: a service account with a password cannot connect; easgate uses app-only certificate authentication.';

/** The `keyCredentials` entry an admin pastes into the app's manifest in Entra. */
export function keyCredentialsJson(pem: string, displayName: string): string {
  const key = pem
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----/, '')
    .replace(/\s+/g, '');
  return JSON.stringify(
    { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key, displayName }] },
    null,
    2,
  );
}
