import { existsSync, readFileSync } from 'node:fs';
import {
  CallersFile,
  ConsoleGatewayService,
  CallerKinds,
  newCaller,
  Roles,
  type CallerRecord,
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
}
