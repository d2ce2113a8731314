import { quoteOpathString } from '@easgate/cmdlet-schemas';
import { ExecutorErrorCode } from './executor-error';

/**
 * Which mailboxes of a tenant easgate may act on, as an Exchange admin scopes an application:
 * a recipient filter (like a management scope's `-RecipientRestrictionFilter`) and/or a group
 * (like an Application Access Policy's `-PolicyScopeGroupId`). Exchange evaluates both.
 */
export interface MailboxScope {
  /** OPATH recipient filter, e.g. `Department -eq 'Sales'`. */
  recipientRestrictionFilter?: string;
  /** A group's DistinguishedName (or identity Exchange accepts for `MemberOfGroup`). */
  policyScopeGroupId?: string;
  /** Tenant-wide actions (organization default, access rules, policies) are refused unless true. */
  allowTenantWide?: boolean;
}

export const OUT_OF_SCOPE: string = ExecutorErrorCode.OutOfScope;

/** The Get-Mailbox filter that returns the mailbox only when the scope includes it. */
export function scopeFilterFor(scope: MailboxScope, mailbox: string): string {
  const address = quoteOpathString(mailbox);
  const clauses = [
    `((UserPrincipalName -eq ${address}) -or (PrimarySmtpAddress -eq ${address}))`,
    ...(scope.recipientRestrictionFilter ? [`(${scope.recipientRestrictionFilter})`] : []),
    ...(scope.policyScopeGroupId
      ? [`(MemberOfGroup -eq ${quoteOpathString(scope.policyScopeGroupId)})`]
      : []),
  ];
  return clauses.join(' -and ');
}

/** The scope alone as a Get-Mailbox filter (which mailboxes it admits); undefined for an empty scope. */
export function scopeFilter(scope: MailboxScope): string | undefined {
  const clauses = [
    ...(scope.recipientRestrictionFilter ? [`(${scope.recipientRestrictionFilter})`] : []),
    ...(scope.policyScopeGroupId
      ? [`(MemberOfGroup -eq ${quoteOpathString(scope.policyScopeGroupId)})`]
      : []),
  ];
  return clauses.length > 0 ? clauses.join(' -and ') : undefined;
}

/** Scopes by tenant (id or domain, lower case). */
export type TenantScopes = ReadonlyMap<string, MailboxScope>;
