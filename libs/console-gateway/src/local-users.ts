import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { type Identity, UserRoles } from '@easgate/identity';
import { z } from 'zod';
import { hashPassword, verifyPassword } from './passwords';

const LocalUser = z.object({
  id: z.string().min(1).max(200),
  roles: z.array(z.enum(UserRoles)).min(1),
  tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(200))]),
  passwordHash: z.string().startsWith('scrypt$'),
  createdAt: z.string(),
});
type LocalUser = z.infer<typeof LocalUser>;
const UsersFile = z.object({ users: z.array(LocalUser) });

/** A password hash to compare against when the user does not exist (same cost, no user enumeration). */
const DUMMY_HASH_PASSWORD = randomBytes(16).toString('hex');

/**
 * The console's local accounts, in a 0600 JSON file of the data directory. At first start (no account)
 * a one-time bootstrap code is made: whoever holds it creates the first administrator (every tenant);
 * the code is then spent. Only the code's SHA-256 is kept in memory. The file is read again when it
 * changes (`easgate identity add-console-user` / `remove-console-user` while the gateway runs).
 */
export class LocalUsers {
  private users: LocalUser[] = [];
  private stamp = '';
  private bootstrapSha256?: Buffer;
  private dummyHash?: Promise<string>;

  constructor(private readonly file: string) {
    this.refresh();
  }

  get setupRequired(): boolean {
    this.refresh();
    return this.users.length === 0;
  }

  /** Removes an account; false when there is none by that name. Its sessions are ended by the caller. */
  remove(id: string): boolean {
    this.refresh();
    const kept = this.users.filter((u) => u.id.toLowerCase() !== id.trim().toLowerCase());
    if (kept.length === this.users.length) return false;
    this.users = kept;
    this.save();
    return true;
  }

  /** A new one-time bootstrap code while no account exists (each call replaces the previous code). */
  issueBootstrapCode(): string | undefined {
    if (!this.setupRequired) return undefined;
    const code = randomBytes(24).toString('base64url');
    this.bootstrapSha256 = sha256(code);
    return code;
  }

  /** Creates the first administrator with the bootstrap code; false when the code is wrong or spent. */
  async bootstrap(code: string, id: string, password: string): Promise<Identity | undefined> {
    if (!this.setupRequired || !this.bootstrapSha256) return undefined;
    const presented = sha256(code);
    if (!timingSafeEqual(presented, this.bootstrapSha256)) return undefined;
    this.bootstrapSha256 = undefined;
    return this.add({ id, roles: ['admin'], tenants: '*' }, password);
  }

  async add(user: Pick<LocalUser, 'id' | 'roles' | 'tenants'>, password: string): Promise<Identity> {
    this.refresh();
    if (this.users.some((u) => u.id.toLowerCase() === user.id.toLowerCase()))
      throw new Error(`the user ${user.id} exists`);
    const record: LocalUser = {
      ...user,
      passwordHash: await hashPassword(password),
      createdAt: new Date().toISOString(),
    };
    this.users = [...this.users, record];
    this.save();
    return identityOf(record);
  }

  async authenticate(id: string, password: string): Promise<Identity | undefined> {
    this.refresh();
    const user = this.users.find((u) => u.id.toLowerCase() === id.trim().toLowerCase());
    if (!user) {
      this.dummyHash ??= hashPassword(DUMMY_HASH_PASSWORD);
      await verifyPassword(password, await this.dummyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? identityOf(user) : undefined;
  }

  private save(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ users: this.users }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.file);
    this.stamp = stampOf(this.file);
  }

  private refresh(): void {
    if (!existsSync(this.file)) return;
    const stamp = stampOf(this.file);
    if (stamp === this.stamp) return;
    this.users = UsersFile.parse(JSON.parse(readFileSync(this.file, 'utf8'))).users;
    this.stamp = stamp;
  }
}

function stampOf(file: string): string {
  const stat = statSync(file);
  return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
}

function identityOf(user: LocalUser): Identity {
  return { kind: 'user', id: user.id, roles: user.roles, tenants: user.tenants };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
