/** Clouds as `Connect-ExchangeOnline -ExchangeEnvironmentName` names them (reference §1.5). */
export enum CloudName {
  Global = 'O365Default',
  GccHigh = 'O365USGovGCCHigh',
  DoD = 'O365USGovDoD',
  China = 'O365China',
}

export interface CloudEndpoints {
  readonly name: CloudName;
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  readonly authorityHost: string;
  /** e.g. https://outlook.office365.com (no trailing slash). */
  readonly exchangeUrl: string;
  /** The documented Connect-ExchangeOnline -ConnectionUri for this cloud. */
  readonly connectionUri: string;
  /** `${exchangeUrl}/adminapi/beta` (same path on every cloud: UNCONFIRMED for non-global, reference §1.5). */
  readonly adminApiBaseUrl: string;
  readonly tokenScope: string;
  readonly graphUrl: string;
}

export interface CloudOverrides {
  readonly authorityHost?: string;
  /** Overrides the Exchange endpoint; its origin becomes exchangeUrl and adminApiBaseUrl. */
  readonly connectionUri?: string;
  readonly tokenScope?: string;
  readonly graphUrl?: string;
}

const clouds: Record<CloudName, CloudEndpoints> = {
  [CloudName.Global]: cloud(
    CloudName.Global,
    'https://login.microsoftonline.com',
    'https://outlook.office365.com',
    'https://outlook.office365.com/powershell-liveid/',
    'https://graph.microsoft.com',
  ),
  // GCC High, DoD and China token scopes: UNCONFIRMED (reference §1.5); override tokenScope if a tenant differs.
  [CloudName.GccHigh]: cloud(
    CloudName.GccHigh,
    'https://login.microsoftonline.us',
    'https://outlook.office365.us',
    'https://outlook.office365.us/powershell-liveID',
    'https://graph.microsoft.us',
  ),
  [CloudName.DoD]: cloud(
    CloudName.DoD,
    'https://login.microsoftonline.us',
    'https://webmail.apps.mil',
    'https://webmail.apps.mil/powershell-liveID',
    'https://dod-graph.microsoft.us',
  ),
  [CloudName.China]: cloud(
    CloudName.China,
    'https://login.partner.microsoftonline.cn',
    'https://partner.outlook.cn',
    'https://partner.outlook.cn/PowerShell',
    'https://microsoftgraph.chinacloudapi.cn',
  ),
};

function cloud(
  name: CloudName,
  authorityHost: string,
  exchangeUrl: string,
  connectionUri: string,
  graphUrl: string,
): CloudEndpoints {
  return {
    name,
    authorityHost,
    exchangeUrl,
    connectionUri,
    adminApiBaseUrl: `${exchangeUrl}/adminapi/beta`,
    tokenScope: `${exchangeUrl}/.default`,
    graphUrl,
  };
}

const aliases: Record<string, CloudName> = {
  o365default: CloudName.Global,
  global: CloudName.Global,
  gcc: CloudName.Global,
  o365usgovgcchigh: CloudName.GccHigh,
  gcchigh: CloudName.GccHigh,
  'gcc-high': CloudName.GccHigh,
  o365usgovdod: CloudName.DoD,
  dod: CloudName.DoD,
  o365china: CloudName.China,
  china: CloudName.China,
  '21vianet': CloudName.China,
};

export class UnknownCloudError extends Error {
  readonly code = 'UNKNOWN_CLOUD';
}

/** Resolves a cloud by Exchange environment name (or a short alias), applying overrides (e.g. the sandbox). */
export function resolveCloud(
  name: string = CloudName.Global,
  overrides: CloudOverrides = {},
): CloudEndpoints {
  const key = aliases[name.trim().toLowerCase()];
  if (!key) {
    throw new UnknownCloudError(
      `Unknown cloud "${name}". Use one of: ${Object.values(CloudName).join(', ')}.`,
    );
  }
  const base = clouds[key];
  const exchangeUrl = overrides.connectionUri
    ? httpsOrigin(overrides.connectionUri, 'connectionUri')
    : base.exchangeUrl;
  return {
    name: key,
    authorityHost: overrides.authorityHost
      ? httpsOrigin(overrides.authorityHost, 'authorityHost')
      : base.authorityHost,
    exchangeUrl,
    connectionUri: overrides.connectionUri ?? base.connectionUri,
    adminApiBaseUrl: `${exchangeUrl}/adminapi/beta`,
    // The token audience stays the real Exchange resource unless told otherwise: a local stand-in
    // for Exchange still receives tokens minted for https://outlook.office365.com.
    tokenScope: overrides.tokenScope ?? base.tokenScope,
    graphUrl: overrides.graphUrl ? httpsOrigin(overrides.graphUrl, 'graphUrl') : base.graphUrl,
  };
}

/** The v2 token endpoint for a tenant: also the `aud` of client assertions. */
export function tokenEndpoint(cloud: CloudEndpoints, tenant: string): string {
  if (!tenant || /^(common|organizations|consumers)$/i.test(tenant)) {
    throw new UnknownCloudError(
      'Client credentials need a tenant id or verified domain, not common/organizations.',
    );
  }
  return `${cloud.authorityHost}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

function httpsOrigin(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UnknownCloudError(`${what} "${value}" is not a URL.`);
  }
  if (url.protocol !== 'https:')
    throw new UnknownCloudError(`${what} must use https (MSAL refuses anything else).`);
  return url.origin;
}
