import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { IdentityError, IdentityErrorCode } from './identity-error';

/** Writes a secret readable by its owner only (0600), whatever the umask. */
export function writeSecretFile(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Reads a secret easgate keeps itself (keys, tokens under the data directory): refused when group or
 * others may read or write it, so that a copied or mis-permissioned key is noticed instead of used.
 */
export function readSecretFile(file: string): string {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new IdentityError(
      IdentityErrorCode.FileTooOpen,
      `${file} is readable or writable by others (mode ${mode.toString(8)}): chmod 600 it`,
    );
  return readFileSync(file, 'utf8');
}

/** Creates a directory only its owner may enter (0700). */
export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, statSync(dir).mode & 0o700);
}
