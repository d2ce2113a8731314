import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalUsers, passwordProblem, Sessions } from '@easgate/console-gateway';
import {
  CallersFile,
  ConsoleGatewayService,
  CallerKinds,
  newCaller,
  Roles,
  type CallerRecord,
  type UserRole,
  UserRoles,
  writeSecretFile,
} from '@easgate/identity';
import { provisionServiceIdentities } from '@easgate/service-runtime';
import type { Command } from 'commander';
import { collect, UsageError } from './usage';

/** The console gateway's key presents signed-in users to the services (trusted with mayActForUsers). */
const SERVICES = ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting', ConsoleGatewayService];

function readCallers(file: string): CallersFile {
  if (!existsSync(file)) return { callers: [] };
  const parsed = CallersFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new UsageError(`${file} is not a callers file`);
  return parsed.data;
}

function writeCallers(file: string, callers: CallersFile): void {
  writeSecretFile(file, `${JSON.stringify(callers, null, 2)}\n`);
}

interface AddOptions {
  file: string;
  id: string;
  kind: string;
  role: string[];
  tenant: string[];
  allTenants?: boolean;
}

/**
 * `easgate identity …`: per-caller API tokens (kept hashed in the callers file the services read
 * as EASGATE_CALLERS_FILE) and the services' own keys (EASGATE_SERVICE_KEY_FILE, EASGATE_TRUSTED_SERVICES_FILE).
 */
export function registerIdentityCommands(program: Command): void {
  const identity = program
    .command('identity')
    .description('API callers (hashed tokens, roles, tenant grants) and service keys');

  identity
    .command('add-caller')
    .description('Add a caller; prints its token once (only its SHA-256 is kept)')
    .requiredOption('--file <callers.json>', 'the callers file (EASGATE_CALLERS_FILE); created 0600')
    .requiredOption('--id <name>', 'who: a user or publisher name')
    .option('--kind <kind>', `user | publisher`, 'user')
    .option('--role <role>', `admin | operator | auditor | mdm-publisher (repeatable)`, collect, [])
    .option('--tenant <tenantId>', 'a tenant it may act for (repeatable)', collect, [])
    .option('--all-tenants', 'it may act for every tenant')
    .action((options: AddOptions) => {
      const kind = options.kind as CallerRecord['kind'];
      if (!CallerKinds.includes(kind) || (kind as string) === 'service')
        throw new UsageError('--kind must be user or publisher');
      const allowed: readonly string[] = Roles.filter((r) => r !== 'service');
      const roles = options.role as CallerRecord['roles'];
      if (roles.length === 0 || roles.some((r) => !allowed.includes(r)))
        throw new UsageError('--role: one or more of admin, operator, auditor, mdm-publisher');
      if (options.allTenants === options.tenant.length > 0)
        throw new UsageError('give either --all-tenants or one or more --tenant');
      const file = readCallers(options.file);
      if (file.callers.some((c) => c.id === options.id && c.revokedAt === undefined))
        throw new UsageError(`${options.id} exists already: revoke it first`);
      const { record, token } = newCaller({
        id: options.id,
        kind,
        roles,
        tenants: options.allTenants ? '*' : options.tenant,
      });
      writeCallers(options.file, { callers: [...file.callers, record] });
      console.log(token);
    });

  identity
    .command('revoke')
    .description('Revoke a caller (the services read the file again within a second)')
    .requiredOption('--file <callers.json>', 'the callers file')
    .requiredOption('--id <name>', 'the caller to revoke')
    .action((options: { file: string; id: string }) => {
      const file = readCallers(options.file);
      if (!file.callers.some((c) => c.id === options.id)) throw new UsageError(`no caller ${options.id}`);
      const revokedAt = new Date().toISOString();
      writeCallers(options.file, {
        callers: file.callers.map((c) =>
          c.id === options.id ? { ...c, revokedAt: c.revokedAt ?? revokedAt } : c,
        ),
      });
      console.log(`revoked ${options.id}`);
    });

  identity
    .command('init-services')
    .description(
      'Make each service (and the console gateway) an Ed25519 key (0600) and the trusted-services file, under --dir (0700)',
    )
    .requiredOption('--dir <dir>', 'where to keep the keys')
    .option(
      '--tenant <tenantId>',
      'trust the services for this tenant only (repeatable; default every tenant)',
      collect,
      [],
    )
    .action((options: { dir: string; tenant: string[] }) => {
      const made = provisionServiceIdentities(
        options.dir,
        SERVICES,
        options.tenant.length ? options.tenant : '*',
      );
      for (const name of SERVICES)
        console.log(`${name.padEnd(18)} EASGATE_SERVICE_KEY_FILE=${made.dir}/${name}.key`);
      console.log(`every service       EASGATE_TRUSTED_SERVICES_FILE=${made.trustFile}`);
    });

  identity
    .command('add-console-user')
    .description(
      'Add a console account with its roles and tenants; the password is read from standard input (first line)',
    )
    .requiredOption('--data-dir <dir>', 'the data directory of the console gateway (EASGATE_DATA_DIR)')
    .requiredOption('--id <name>', 'the user name (letters, digits and . @ + - _)')
    .option('--role <role>', 'admin | operator | auditor (repeatable)', collect, [])
    .option('--tenant <tenantId>', 'a tenant the roles hold on (repeatable)', collect, [])
    .option('--all-tenants', 'the roles hold on every tenant')
    .action(
      async (options: {
        dataDir: string;
        id: string;
        role: string[];
        tenant: string[];
        allTenants?: boolean;
      }) => {
        if (!/^[\w.@+-]{1,150}$/.test(options.id))
          throw new UsageError('--id: 1 to 150 letters, digits and . @ + - _');
        const roles = options.role as UserRole[];
        if (roles.length === 0 || roles.some((r) => !(UserRoles as readonly string[]).includes(r)))
          throw new UsageError('--role: one or more of admin, operator, auditor');
        if (options.allTenants === options.tenant.length > 0)
          throw new UsageError('give either --all-tenants or one or more --tenant');
        const password = (await readStdin()).split(/\r?\n/)[0] ?? '';
        const problem = passwordProblem(password);
        if (problem) throw new UsageError(`the password on standard input: ${problem}`);
        const users = new LocalUsers(join(options.dataDir, 'console-users.json'));
        if (users.setupRequired)
          throw new UsageError('no console administrator yet: create it first through the one-time link');
        try {
          await users.add(
            { id: options.id, roles, tenants: options.allTenants ? '*' : options.tenant },
            password,
          );
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        console.log(`added console user ${options.id}`);
      },
    );

  identity
    .command('remove-console-user')
    .description('Remove a console account and end its sessions at once')
    .requiredOption('--data-dir <dir>', 'the data directory of the console gateway (EASGATE_DATA_DIR)')
    .requiredOption('--id <name>', 'the user name')
    .action((options: { dataDir: string; id: string }) => {
      const removed = new LocalUsers(join(options.dataDir, 'console-users.json')).remove(options.id);
      const sessions = new Sessions(join(options.dataDir, 'console-sessions.sqlite'));
      const ended = sessions.endAllOf(options.id);
      sessions.close();
      if (!removed && ended === 0) throw new UsageError(`no console user ${options.id}`);
      console.log(`removed console user ${options.id} (${ended} session(s) ended)`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
