import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConsoleGatewayService,
  ensurePrivateDir,
  generateServiceKey,
  readSecretFile,
  type ServiceKey,
  serviceKeyFromPem,
  type TenantGrant,
  type TrustedService,
  trustedServicesFrom,
  trustedServicesJson,
  writeSecretFile,
} from '@easgate/identity';

export interface ProvisionedIdentities {
  readonly dir: string;
  readonly keys: ReadonlyMap<string, ServiceKey>;
  readonly trusted: readonly TrustedService[];
  /** The file to give as EASGATE_TRUSTED_SERVICES_FILE. */
  readonly trustFile: string;
}

/**
 * The service credentials `easgate start` (or `easgate identity init`) keeps under `dir` (0700):
 * `<service>.key` (Ed25519, PKCS#8 PEM, 0600) for each service, made once, and
 * `trusted-services.json` (their public keys, each trusted for `tenants`; the console gateway's also
 * to present its signed-in users). Keys already there are kept; a key file others may read is refused.
 */
export function provisionServiceIdentities(
  dir: string,
  services: readonly string[],
  tenants: TenantGrant = '*',
): ProvisionedIdentities {
  ensurePrivateDir(dir);
  const keys = new Map<string, ServiceKey>();
  for (const name of services) {
    const file = join(dir, `${name}.key`);
    if (existsSync(file)) keys.set(name, serviceKeyFromPem(name, readSecretFile(file)));
    else {
      const key = generateServiceKey(name);
      writeSecretFile(file, key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      keys.set(name, key);
    }
  }
  const trustFile = join(dir, 'trusted-services.json');
  writeSecretFile(
    trustFile,
    trustedServicesJson(
      [...keys.values()].map((key) => ({
        key,
        tenants,
        mayActForUsers: key.name === ConsoleGatewayService,
      })),
    ),
  );
  return { dir, keys, trusted: trustedServicesFrom(readFileSync(trustFile, 'utf8'), trustFile), trustFile };
}
