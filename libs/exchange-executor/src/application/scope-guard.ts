import { ExecutorError, ExecutorErrorCode } from '../domain/executor-error';
import { type MailboxScope, scopeFilterFor, type TenantScopes } from '../domain/mailbox-scope';
import type { ExchangeClient } from '../infra/exchange-client';

const TTL_MS = 5 * 60_000;

/**
 * Refuses commands for mailboxes outside their tenant's scope. Exchange decides membership
 * (Get-Mailbox with the scope's filter, one read per mailbox, remembered for five minutes), so a
 * scope means here what it means in Exchange.
 */
export class ScopeGuard {
  private readonly verdicts = new Map<string, { inScope: boolean; until: number }>();

  constructor(
    private readonly scopes: TenantScopes,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when some tenant is scoped (otherwise nothing is looked up). */
  get active(): boolean {
    return this.scopes.size > 0;
  }

  scopeOf(tenant: string, aliases: readonly string[] = []): MailboxScope | undefined {
    for (const name of [tenant, ...aliases]) {
      const scope = this.scopes.get(name.toLowerCase());
      if (scope) return scope;
    }
    return undefined;
  }

  /** Throws OUT_OF_SCOPE (not retriable) when the tenant is scoped and the target is outside. */
  async ensureInScope(
    client: ExchangeClient,
    tenant: string,
    mailbox: string | undefined,
    aliases: readonly string[] = [],
  ): Promise<void> {
    const scope = this.scopeOf(tenant, aliases);
    if (!scope) return;
    if (mailbox === undefined) {
      if (scope.allowTenantWide) return;
      throw new ExecutorError(
        ExecutorErrorCode.OutOfScope,
        `Tenant ${tenant} is scoped to some mailboxes: tenant-wide actions are refused (allowTenantWide is off).`,
      );
    }
    const key = `${tenant.toLowerCase()}|${mailbox.toLowerCase()}`;
    let verdict = this.verdicts.get(key);
    if (!verdict || verdict.until <= this.now()) {
      const found = await client.invoke('Get-Mailbox', {
        Filter: scopeFilterFor(scope, mailbox),
        ResultSize: 1,
      });
      verdict = { inScope: found.values.length > 0, until: this.now() + TTL_MS };
      this.verdicts.set(key, verdict);
    }
    if (!verdict.inScope)
      throw new ExecutorError(
        ExecutorErrorCode.OutOfScope,
        `Mailbox ${mailbox} is outside the scope configured for tenant ${tenant}; nothing was sent to Exchange.`,
      );
  }
}
