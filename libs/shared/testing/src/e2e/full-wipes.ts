import { ExchangeCommandKinds } from '@easgate/contracts';

/**
 * What a tenant that wants full wipes configures (off by default in the product): every executor command
 * kind, `full-wipe` included, for that tenant (EXECUTOR_TENANT_COMMAND_KINDS), and `allowFullWipe` in its
 * translator rules. Without both a full-wipe verdict is sent account-only, or refused by the executor.
 * This is the executor's half: its environment enabling every command kind for `tenantId`.
 */
export function fullWipeExecutorEnv(tenantId: string): NodeJS.ProcessEnv {
  return {
    EXECUTOR_TENANT_COMMAND_KINDS: JSON.stringify({ [tenantId.toLowerCase()]: ExchangeCommandKinds }),
  };
}

/** Saves a new rules version with `allowFullWipe: true` over the translator's API. */
export async function allowFullWipes(input: {
  translatorUrl: string;
  apiToken: string;
  tenantId: string;
}): Promise<void> {
  const url = `${input.translatorUrl}/v1/tenants/${input.tenantId}/rules`;
  const headers = { authorization: `Bearer ${input.apiToken}`, 'content-type': 'application/json' };
  const got = await fetch(url, { headers });
  if (!got.ok) throw new Error(`policy-translator GET rules answered ${got.status}: ${await got.text()}`);
  const current = (await got.json()) as { version: number; rules: Record<string, unknown> };
  const put = await fetch(url, {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      rules: { ...current.rules, allowFullWipe: true },
      expectedVersion: current.version,
    }),
  });
  if (!put.ok) throw new Error(`policy-translator PUT rules answered ${put.status}: ${await put.text()}`);
}
