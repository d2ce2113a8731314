import { type CloudEndpoints, resolveCloud } from './clouds';

/**
 * Endpoint overrides (authority, Exchange, Graph) may only name the cloud's own host, or a host the
 * operator admits (EASGATE_ALLOWED_ENDPOINT_HOSTS=host[:port],…; `easgate start` adds its sandbox). Otherwise
 * whoever may change a connection could send its Graph token and key proofs to a host of their choosing.
 */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

function hostOf(url: string): { host: string; hostname: string; protocol: string } | undefined {
  try {
    const parsed = new URL(url);
    return {
      host: parsed.host.toLowerCase(),
      hostname: parsed.hostname.toLowerCase(),
      protocol: parsed.protocol,
    };
  } catch {
    return undefined;
  }
}

/** Whether `url` is https on the host of `cloudDefault`, or on a host (with or without port) the operator admits. */
export function endpointAllowed(url: string, cloudDefault: string, allowedHosts: readonly string[]): boolean {
  const target = hostOf(url);
  const home = hostOf(cloudDefault);
  if (!target || target.protocol !== 'https:') return false;
  if (home && target.host === home.host) return true;
  return allowedHosts.some(
    (allowed) => allowed === target.host || (!allowed.includes(':') && allowed === target.hostname),
  );
}

export interface EndpointOverrides {
  readonly authorityHost?: string;
  readonly exchangeEndpoint?: string;
  readonly graphUrl?: string;
}

/** The overrides whose host is neither the cloud's nor admitted: `[]` when all may be used. */
export function refusedEndpoints(
  cloud: string,
  overrides: EndpointOverrides,
  allowedHosts: readonly string[],
): (keyof EndpointOverrides)[] {
  const base: CloudEndpoints = resolveCloud(cloud);
  const defaults: Record<keyof EndpointOverrides, string> = {
    authorityHost: base.authorityHost,
    exchangeEndpoint: base.exchangeUrl,
    graphUrl: base.graphUrl,
  };
  return (Object.keys(defaults) as (keyof EndpointOverrides)[]).filter((field) => {
    const value = overrides[field];
    return value !== undefined && !endpointAllowed(value, defaults[field], allowedHosts);
  });
}

/** `@odata.nextLink` is followed only on the origin of the first request. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
