import {
  type CmdletDefinition,
  isCmdletAllowed as managementRolesAllowCmdlet,
  managementRolesForDirectoryRoleIds,
} from '@easgate/cmdlet-schemas';

/**
 * May the app run this cmdlet? Either an Entra directory role in the token's `wids` grants one of its
 * management roles (Option 1 of app-only auth; the role table is the shared one in cmdlet-schemas), or the
 * cmdlet was given to the app explicitly, as an EXO RBAC role group would (Option 2).
 */
export function isCmdletAllowed(
  cmdlet: CmdletDefinition,
  wids: readonly string[],
  roleGroupCmdlets: ReadonlySet<string>,
): boolean {
  if (roleGroupCmdlets.has(cmdlet.name.toLowerCase())) return true;
  return managementRolesAllowCmdlet(cmdlet.name, managementRolesForDirectoryRoleIds(wids));
}
