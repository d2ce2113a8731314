import { type CmdletDefinition, type ManagementRole } from '@easgate/cmdlet-schemas';
import { DirectoryRoles } from './directory';

const AllRoles: readonly ManagementRole[] = [
  'Mail Recipients',
  'View-Only Recipients',
  'Organization Client Access',
  'View-Only Configuration',
  'Organization Configuration',
];
const ReadOnly: readonly ManagementRole[] = ['View-Only Recipients', 'View-Only Configuration'];

/**
 * Exchange management roles granted by each Entra directory role (Option 1 of app-only auth). The
 * exact split is UNCONFIRMED (reference §3.7, §5); apps can also be given explicit cmdlets, as an
 * EXO RBAC role group would (Option 2).
 */
export const ManagementRolesByDirectoryRole: ReadonlyMap<string, readonly ManagementRole[]> = new Map([
  [DirectoryRoles['Global Administrator'], AllRoles],
  [DirectoryRoles['Exchange Administrator'], AllRoles],
  [DirectoryRoles['Exchange Recipient Administrator'], ['Mail Recipients', ...ReadOnly]],
  [DirectoryRoles['Global Reader'], ReadOnly],
  [DirectoryRoles['Security Reader'], ReadOnly],
  [DirectoryRoles['Security Administrator'], ReadOnly],
  [DirectoryRoles['Helpdesk Administrator'], ['View-Only Recipients']],
  [DirectoryRoles['Compliance Administrator'], ['View-Only Configuration']],
]);

export function isCmdletAllowed(
  cmdlet: CmdletDefinition,
  wids: readonly string[],
  roleGroupCmdlets: ReadonlySet<string>,
): boolean {
  if (roleGroupCmdlets.has(cmdlet.name.toLowerCase())) return true;
  const granted = new Set(wids.flatMap((w) => ManagementRolesByDirectoryRole.get(w) ?? []));
  return cmdlet.managementRoles.some((r) => granted.has(r));
}
