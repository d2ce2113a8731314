import type { Command } from 'commander';
import { describeServiceCallFailure, serviceCallInit } from './service-trust';
import { UsageError } from './usage';

interface DeviceOptions {
  tenant: string;
  url: string;
  tokenFile?: string;
  json?: boolean;
}

/** The translator's device answer, as far as this command prints it. */
interface DeviceView {
  mdmDeviceId: string;
  mailbox: string;
  state: string;
  access: string;
  action: string;
  rule: string;
  rulesVersion: number;
  easDeviceIds: string[];
  wipes?: WipeView[];
}

interface WipeView {
  deviceId: string;
  commandId: string;
  state: string;
  requested: string;
  sent?: string;
  requestedAt: string;
  completedAt?: string;
  acknowledgedAt?: string;
  note?: string;
  error?: { code: string; message: string };
}

/** Lines a person reads: the device's desired state, then each wipe and where it stands. */
export function describeDevice(device: DeviceView, tenant: string): string[] {
  const lines = [
    `device ${device.mdmDeviceId} (tenant ${tenant}), mailbox ${device.mailbox}`,
    `  MDM state ${device.state}: access ${device.access}, action ${device.action} (rule ${device.rule}, rules v${device.rulesVersion})`,
    `  EAS ids: ${device.easDeviceIds.length > 0 ? device.easDeviceIds.join(', ') : 'none yet'}`,
  ];
  const wipes = device.wipes ?? [];
  if (wipes.length === 0) return [...lines, '  wipes: none'];
  lines.push('  wipes:');
  for (const wipe of wipes) {
    const what =
      wipe.sent !== undefined && wipe.sent !== wipe.requested
        ? `${wipe.requested} wipe requested, ${wipe.sent} wipe sent`
        : `${wipe.requested} wipe`;
    lines.push(`    ${wipe.deviceId}: ${wipe.state} (${what}), requested ${wipe.requestedAt}`);
    if (wipe.completedAt) lines.push(`      answered by Exchange ${wipe.completedAt}`);
    if (wipe.acknowledgedAt) lines.push(`      acknowledged by the device ${wipe.acknowledgedAt}`);
    if (wipe.note) lines.push(`      note: ${wipe.note}`);
    if (wipe.error) lines.push(`      error: ${wipe.error.code}: ${wipe.error.message}`);
  }
  return lines;
}

async function showDevice(mdmDeviceId: string, options: DeviceOptions, token: string): Promise<void> {
  const url = `${options.url.replace(/\/+$/, '')}/v1/tenants/${encodeURIComponent(options.tenant)}/devices/${encodeURIComponent(mdmDeviceId)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, ...serviceCallInit() });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new Error(
      `the policy-translator at ${options.url} cannot be reached: ${describeServiceCallFailure(err, url)}`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as DeviceView & { code?: string; message?: string };
  if (!res.ok)
    throw new Error(`${res.status} ${body.code ?? ''}: ${body.message ?? 'request failed'}`.trim());
  if (options.json) console.log(JSON.stringify(body, null, 2));
  else for (const line of describeDevice(body, options.tenant)) console.log(line);
}

/** `easgate mdm device <id> --tenant …`: a device's desired state and its wipes, from the policy-translator. */
export function registerMdmDeviceCommand(
  mdm: Command,
  apiToken: (options: { tokenFile?: string }) => string,
): void {
  mdm
    .command('device')
    .description(
      "a device's desired Exchange state and its wipes (requested, sent, acknowledged, failed; account-only notes)",
    )
    .argument('<mdmDeviceId>', 'the MDM device id')
    .requiredOption('--tenant <tenant>', 'Entra tenant id or *.onmicrosoft.com domain')
    .option(
      '--url <url>',
      "the policy-translator's URL (env POLICY_TRANSLATOR_URL)",
      process.env['POLICY_TRANSLATOR_URL'] ?? 'http://127.0.0.1:8083',
    )
    .option('--token-file <file>', 'API token file (default: EASGATE_API_TOKEN, or .easgate/api-token)')
    .option('--json', 'print the API answer as JSON')
    .action(async (mdmDeviceId: string, options: DeviceOptions) => {
      try {
        await showDevice(mdmDeviceId, options, apiToken(options));
      } catch (err) {
        console.error(`easgate mdm device: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = err instanceof UsageError ? 2 : 1;
      }
    });
}
