import { readFileSync } from 'node:fs';
import {
  adminTokenCaller,
  CallerDirectory,
  type CallerRecord,
  ConsoleGatewayService,
  generateServiceKey,
  issueServiceToken,
  publicKeyOf,
  readSecretFile,
  SERVICE_TOKEN_TTL_SECONDS,
  type ServiceKey,
  serviceKeyFromPem,
  ServiceTokenVerifier,
  type TrustedService,
  trustedServicesFrom,
} from '@easgate/identity';
import { Authenticator } from './authenticator';

/** A service's own credentials for calling its peers. */
export interface ServiceCredentials {
  readonly name: string;
  /** `Authorization` header value for a call to the service `audience` (a fresh short-lived token). */
  authorizationFor(audience: string): string;
}

export interface IdentityOptions {
  /** The service's own Ed25519 key (EASGATE_SERVICE_KEY_FILE). */
  serviceKey?: ServiceKey;
  /** The services whose tokens it accepts (EASGATE_TRUSTED_SERVICES_FILE). */
  trustedServices?: readonly TrustedService[] | (() => readonly TrustedService[]);
  /** Per-caller API tokens (EASGATE_CALLERS_FILE). */
  callers?: CallerDirectory;
}

/**
 * Services started in the same process without configured keys (tests, `easgate start` when it is not
 * given files) get a key generated for the process and trust each other for every tenant: whoever
 * runs code in the process holds every key anyway.
 */
const processKeys = new Map<string, ServiceKey>();
const processTrust = (): TrustedService[] =>
  [...processKeys.values()].map((key) => ({
    name: key.name,
    publicKey: publicKeyOf(key),
    tenants: '*',
    mayActForUsers: key.name === ConsoleGatewayService,
  }));

function processKey(name: string): ServiceKey {
  let key = processKeys.get(name);
  if (!key) {
    key = generateServiceKey(name);
    processKeys.set(name, key);
  }
  return key;
}

/**
 * The credentials of `service` as the services of this process know them (no configured keys): for a
 * caller in the same process, e.g. a test playing the executor against the vault.
 */
export function inProcessCredentials(service: string): ServiceCredentials {
  return credentialsOf(processKey(service));
}

export function credentialsOf(key: ServiceKey): ServiceCredentials {
  const cache = new Map<string, { header: string; until: number }>();
  return {
    name: key.name,
    authorizationFor(audience) {
      const hit = cache.get(audience);
      if (hit && hit.until > Date.now()) return hit.header;
      const header = `Bearer ${issueServiceToken(key, audience)}`;
      cache.set(audience, { header, until: Date.now() + (SERVICE_TOKEN_TTL_SECONDS - 60) * 1000 });
      return header;
    },
  };
}

/** The authenticator of `service` and its credentials, from the options (or the process's keys). */
export function serviceIdentity(
  service: string,
  apiToken: string | undefined,
  options: IdentityOptions = {},
): { authenticator: Authenticator; credentials: ServiceCredentials } {
  const fixed: CallerRecord[] = apiToken !== undefined ? [adminTokenCaller(apiToken)] : [];
  const callers = options.callers ? options.callers.withFixed(fixed) : CallerDirectory.of(fixed);
  const key = options.serviceKey ?? processKey(service);
  const configured = options.trustedServices;
  const trusted =
    configured === undefined
      ? processTrust
      : typeof configured === 'function'
        ? configured
        : () => configured;
  return {
    authenticator: new Authenticator(callers, new ServiceTokenVerifier(service, trusted)),
    credentials: credentialsOf(key),
  };
}

/**
 * Identity configuration of a service run alone:
 * EASGATE_CALLERS_FILE (per-caller hashed tokens), EASGATE_SERVICE_KEY_FILE (its Ed25519 key, 0600),
 * EASGATE_TRUSTED_SERVICES_FILE (the peers whose tokens it accepts).
 */
export function identityFromEnv(service: string, env: NodeJS.ProcessEnv): IdentityOptions {
  const callersFile = env['EASGATE_CALLERS_FILE'];
  const keyFile = env['EASGATE_SERVICE_KEY_FILE'];
  const trustFile = env['EASGATE_TRUSTED_SERVICES_FILE'];
  return {
    ...(callersFile && { callers: CallerDirectory.fromFile(callersFile) }),
    ...(keyFile && { serviceKey: serviceKeyFromPem(service, readSecretFile(keyFile)) }),
    ...(trustFile && { trustedServices: trustedServicesFrom(readFileSync(trustFile, 'utf8'), trustFile) }),
  };
}
