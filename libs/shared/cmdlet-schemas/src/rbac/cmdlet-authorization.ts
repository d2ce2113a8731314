import { CMDLETS, canonicalCmdletName } from '../cmdlets/cmdlet-catalog';
import type { ManagementRole } from '../schema/cmdlet-definition';

/** Entra directory roles EXO accepts for app-only sessions (reference §3.7), by role template id (`wids`). */
export const DirectoryRoleTemplateIds = {
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  // The following ids are "from memory — UNCONFIRMED" in the reference.
  exchangeRecipientAdministrator: '31392ffb-586c-42d1-9346-e59415a2cc4e',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  complianceAdministrator: '17315797-102d-40b4-93e0-432062caca18',
} as const;

export type DirectoryRole = keyof typeof DirectoryRoleTemplateIds;

const ALL_ROLES: readonly ManagementRole[] = [
  'Mail Recipients',
  'View-Only Recipients',
  'Organization Client Access',
  'View-Only Configuration',
  'Organization Configuration',
];

/**
 * Which management roles each directory role brings for the cmdlets in this library. Only
 * "Exchange Administrator / Global Administrator can run everything" is dependable; the rest is
 * UNCONFIRMED (reference §5) — the sandbox should let tests override it.
 */
export const DIRECTORY_ROLE_MANAGEMENT_ROLES: Readonly<Record<DirectoryRole, readonly ManagementRole[]>> = {
  exchangeAdministrator: ALL_ROLES,
  globalAdministrator: ALL_ROLES,
  exchangeRecipientAdministrator: ['Mail Recipients', 'View-Only Recipients', 'View-Only Configuration'],
  globalReader: ['View-Only Recipients', 'View-Only Configuration'],
  securityReader: ['View-Only Recipients', 'View-Only Configuration'],
  securityAdministrator: ['View-Only Recipients', 'View-Only Configuration'],
  helpdeskAdministrator: ['View-Only Recipients'],
  complianceAdministrator: ['View-Only Configuration'],
};

/** Management roles granted by the `wids` of an access token (unknown ids ignored; case-insensitive). */
export function managementRolesForDirectoryRoleIds(wids: readonly string[]): ManagementRole[] {
  const granted = new Set<ManagementRole>();
  const ids = new Set(wids.map((id) => id.toLowerCase()));
  for (const [role, templateId] of Object.entries(DirectoryRoleTemplateIds) as [DirectoryRole, string][]) {
    if (ids.has(templateId)) DIRECTORY_ROLE_MANAGEMENT_ROLES[role].forEach((r) => granted.add(r));
  }
  return [...granted];
}

/** Can a caller holding these management roles run the cmdlet? Unknown cmdlets: false. */
export function isCmdletAllowed(cmdlet: string, roles: readonly ManagementRole[]): boolean {
  const name = canonicalCmdletName(cmdlet);
  if (name === undefined) return false;
  const needed: readonly ManagementRole[] = CMDLETS[name].managementRoles;
  return needed.some((role) => roles.includes(role));
}

/** The admin API's refusal text for a cmdlet outside the caller's roles (HTTP 401, reference §3.5). */
export function notAllowedToCallMessage(cmdlet: string): string {
  return `User is not allowed to call ${canonicalCmdletName(cmdlet) ?? cmdlet}`;
}
