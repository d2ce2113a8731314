import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { CallerKinds, type Identity, Roles } from './identity';
import { IdentityError, IdentityErrorCode } from './identity-error';

/** Shorter tokens are refused (an empty token file used to disable authentication). */
export const MIN_API_TOKEN_LENGTH = 16;

/** 32 random bytes, base64url (43 characters). */
export function generateApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a token: its SHA-256 (the token itself is high-entropy, so no salt is needed). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function assertTokenStrength(token: string, source: string): void {
  if (token.length < MIN_API_TOKEN_LENGTH)
    throw new IdentityError(
      IdentityErrorCode.ApiTokenTooShort,
      `${source} is ${token.length === 0 ? 'empty' : 'too short'}: an API token needs at least ${MIN_API_TOKEN_LENGTH} characters (e.g. openssl rand -base64 32)`,
    );
}

export const CallerRecord = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(CallerKinds).exclude(['service']),
  roles: z.array(z.enum(Roles).exclude(['service'])).min(1),
  tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(200))]),
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
  revokedAt: z.string().optional(),
});
export type CallerRecord = z.infer<typeof CallerRecord>;
export const CallersFile = z.object({ callers: z.array(CallerRecord) });
export type CallersFile = z.infer<typeof CallersFile>;

/** The record of a new caller and its token (shown once; only the hash is kept). */
export function newCaller(
  caller: Omit<CallerRecord, 'tokenSha256' | 'revokedAt'>,
  token: string = generateApiToken(),
): { record: CallerRecord; token: string } {
  assertTokenStrength(token, `the token of ${caller.id}`);
  return { record: { ...caller, tokenSha256: hashApiToken(token) }, token };
}

/** The legacy single API token (EASGATE_API_TOKEN[_FILE]) as an admin of every tenant. */
export function adminTokenCaller(token: string, source = 'the API token'): CallerRecord {
  assertTokenStrength(token, source);
  return { id: 'api-token', kind: 'user', roles: ['admin'], tenants: '*', tokenSha256: hashApiToken(token) };
}

/**
 * Per-caller API tokens, kept hashed. Authentication looks the presented token's hash up; a revoked
 * caller is refused. With a file (EASGATE_CALLERS_FILE), the file is read again when it changes, so
 * that adding or revoking a caller needs no restart.
 */
export class CallerDirectory {
  private byHash = new Map<string, CallerRecord>();
  private fileStamp = '';
  private checkedAt = 0;

  private constructor(
    private readonly fixed: readonly CallerRecord[],
    private readonly file?: string,
  ) {
    this.index([]);
    if (file) this.reload();
  }

  static of(records: readonly CallerRecord[]): CallerDirectory {
    return new CallerDirectory(records);
  }

  /** `fixed` (e.g. the legacy admin token) plus the callers of the file. */
  static fromFile(file: string, fixed: readonly CallerRecord[] = []): CallerDirectory {
    return new CallerDirectory(fixed, file);
  }

  /** The same directory (and file) with `fixed` callers added, e.g. the legacy admin token. */
  withFixed(fixed: readonly CallerRecord[]): CallerDirectory {
    return new CallerDirectory([...this.fixed, ...fixed], this.file);
  }

  get size(): number {
    return this.byHash.size;
  }

  authenticate(token: string): Identity | undefined {
    if (token.length < MIN_API_TOKEN_LENGTH || token.length > 4096) return undefined;
    this.refresh();
    const record = this.byHash.get(hashApiToken(token));
    if (!record || record.revokedAt !== undefined) return undefined;
    return { kind: record.kind, id: record.id, roles: record.roles, tenants: record.tenants };
  }

  private refresh(): void {
    if (!this.file || Date.now() - this.checkedAt < 1000) return;
    this.checkedAt = Date.now();
    try {
      const stat = statSync(this.file);
      if (`${stat.mtimeMs}:${stat.size}` !== this.fileStamp) this.reload();
    } catch {
      // A file that vanished keeps the last good directory; the next change is read again.
    }
  }

  private reload(): void {
    const file = this.file!;
    const stat = statSync(file);
    let parsed: CallersFile;
    try {
      parsed = CallersFile.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      throw new IdentityError(
        IdentityErrorCode.CallersFileInvalid,
        `${file} is not a callers file ({"callers":[{id, kind, roles, tenants, tokenSha256, revokedAt?}]})`,
      );
    }
    this.fileStamp = `${stat.mtimeMs}:${stat.size}`;
    this.index(parsed.callers);
  }

  private index(fromFile: readonly CallerRecord[]): void {
    this.byHash = new Map([...this.fixed, ...fromFile].map((record) => [record.tokenSha256, record]));
  }
}
