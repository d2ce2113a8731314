import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiTokenFromEnv } from '@easgate/service-runtime';
import type { Command } from 'commander';
import { describeServiceCallFailure, serviceCallInit } from './service-trust';
import { UsageError } from './usage';

/** Exit codes scripts branch on: 0 ok, 1 usage or connection error, 2 the audit chain is broken. */
export enum VaultExitCode {
  Ok = 0,
  Error = 1,
  Tampered = 2,
}

interface VaultOptions {
  url?: string;
  json?: boolean;
}

interface Verification {
  valid: boolean;
  checked: number;
  brokenAt?: number;
  problem?: string;
}

class VaultCallError extends Error {}

/** EASGATE_API_TOKEN(_FILE), else the token `easgate start` wrote into its data directory. */
function apiToken(env: NodeJS.ProcessEnv): string {
  const fromEnv = apiTokenFromEnv(env);
  if (fromEnv) return fromEnv;
  const file = join(resolve(env['EASGATE_DATA_DIR'] ?? '.easgate'), 'api-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new VaultCallError(
    'no API token: set EASGATE_API_TOKEN or EASGATE_API_TOKEN_FILE (or run from where `easgate start` keeps .easgate)',
  );
}

async function call<T>(options: VaultOptions, method: 'GET' | 'POST', path: string): Promise<T> {
  const base = (options.url ?? process.env['CERT_VAULT_URL'] ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
  const token = apiToken(process.env);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-easgate-actor': 'cli' },
      ...serviceCallInit(),
    });
  } catch (err) {
    if (err instanceof UsageError) throw new VaultCallError(err.message);
    throw new VaultCallError(
      `the cert-vault at ${base} does not answer (${describeServiceCallFailure(err, base)})`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as T & { code?: string; message?: string };
  if (!response.ok)
    throw new VaultCallError(`${response.status} ${body.code ?? ''} ${body.message ?? ''}`.trim());
  return body;
}

function run(work: () => Promise<VaultExitCode>): () => Promise<void> {
  return async () => {
    try {
      process.exitCode = await work();
    } catch (err) {
      if (!(err instanceof VaultCallError)) throw err;
      console.error(`easgate vault: ${err.message}`);
      process.exitCode = VaultExitCode.Error;
    }
  };
}

export function registerVaultCommands(program: Command): void {
  const vault = program
    .command('vault')
    .description('operate the cert-vault: audit chain, expiry scan, master-key rewrap');
  const urlHelp = 'cert-vault base URL (default $CERT_VAULT_URL or http://127.0.0.1:8081)';

  const audit = vault.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'recompute the audit hash chain: exit 0 intact, 2 tampered (a row changed or deleted), 1 error',
    )
    .option('--url <url>', urlHelp)
    .option('--json', 'print the verification as JSON')
    .action(function (this: Command) {
      const options = this.opts<VaultOptions>();
      return run(async () => {
        const result = await call<Verification>(options, 'GET', '/v1/audit/verify');
        if (options.json) console.log(JSON.stringify(result));
        else if (result.valid) console.log(`audit chain intact: ${result.checked} row(s) verified`);
        else console.log(`AUDIT CHAIN BROKEN at row ${result.brokenAt}: ${result.problem}`);
        return result.valid ? VaultExitCode.Ok : VaultExitCode.Tampered;
      })();
    });

  vault
    .command('rewrap')
    .description(
      're-wrap every data key under the current master key (after setting VAULT_MASTER_KEY to a new key)',
    )
    .option('--url <url>', urlHelp)
    .option('--json', 'print the result as JSON')
    .action(function (this: Command) {
      const options = this.opts<VaultOptions>();
      return run(async () => {
        const result = await call<{ rewrapped: number; masterKeyId: string }>(
          options,
          'POST',
          '/v1/master-key/rewrap',
        );
        console.log(
          options.json
            ? JSON.stringify(result)
            : `${result.rewrapped} data key(s) re-wrapped under ${result.masterKeyId}`,
        );
        return VaultExitCode.Ok;
      })();
    });

  vault
    .command('scan')
    .description('run the certificate expiry scan now (publishes due expiring/expired events)')
    .option('--url <url>', urlHelp)
    .option('--json', 'print the result as JSON')
    .action(function (this: Command) {
      const options = this.opts<VaultOptions>();
      return run(async () => {
        const result = await call<{ scanned: number; expiring: number; expired: number; retired: number }>(
          options,
          'POST',
          '/v1/expiry-scan',
        );
        console.log(
          options.json
            ? JSON.stringify(result)
            : `${result.scanned} certificate(s) scanned: ${result.expiring} expiring, ${result.expired} expired notice(s) sent, ${result.retired} retired`,
        );
        return VaultExitCode.Ok;
      })();
    });
}
