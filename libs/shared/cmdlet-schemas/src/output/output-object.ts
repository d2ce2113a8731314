import type { CmdletName, CMDLETS } from '../cmdlets/cmdlet-catalog';
import type { OutputFieldDefinition, OutputTypeDefinition } from '../schema/cmdlet-definition';
import type {
  ActiveSyncDeviceAccessRuleOutput,
  ActiveSyncOrganizationSettingsOutput,
  CasMailboxOutput,
  MailboxOutput,
  MobileDeviceMailboxPolicyOutput,
  MobileDeviceOutput,
  MobileDeviceStatisticsOutput,
  OrganizationConfigOutput,
} from '../schema/output-types';

type FieldValue<F extends OutputFieldDefinition> = F extends { type: 'bool' }
  ? boolean
  : F extends { type: 'int' }
    ? number | null
    : F extends { type: 'stringList' }
      ? string[]
      : F extends { type: 'enum'; values: readonly (infer V)[] }
        ? V | null
        : // string, guid, dateTime (ISO-8601), timeSpan, unlimitedString
          string | null;

/** The JSON object a cmdlet returns for an output type: PascalCase names, enums as strings, ISO dates. */
export type OutputObject<O extends OutputTypeDefinition> = {
  [F in O['fields'][number] as F['name']]: FieldValue<F>;
};

export type MailboxObject = OutputObject<typeof MailboxOutput>;
export type CasMailboxObject = OutputObject<typeof CasMailboxOutput>;
export type MobileDeviceObject = OutputObject<typeof MobileDeviceOutput>;
export type MobileDeviceStatisticsObject = OutputObject<typeof MobileDeviceStatisticsOutput>;
export type MobileDeviceMailboxPolicyObject = OutputObject<typeof MobileDeviceMailboxPolicyOutput>;
export type ActiveSyncOrganizationSettingsObject = OutputObject<typeof ActiveSyncOrganizationSettingsOutput>;
export type ActiveSyncDeviceAccessRuleObject = OutputObject<typeof ActiveSyncDeviceAccessRuleOutput>;
export type OrganizationConfigObject = OutputObject<typeof OrganizationConfigOutput>;

/** What one `value[]` item of a cmdlet's response looks like (`never` for cmdlets that emit nothing). */
export type CmdletOutput<N extends CmdletName> = (typeof CMDLETS)[N]['output'] extends infer O extends
  OutputTypeDefinition
  ? OutputObject<O>
  : never;

function emptyValue(field: OutputFieldDefinition): unknown {
  return field.type === 'stringList' ? [] : field.type === 'bool' ? false : null;
}

/**
 * Builds a response object in the output type's field order from a source object (keys matched
 * case-insensitively; missing fields become null, [] or false). `select` is the `$select` list:
 * only those fields, in the output type's order; unknown names are ignored (UNCONFIRMED: what EXO
 * does with an unknown `$select` name).
 */
export function projectOutputObject(
  output: OutputTypeDefinition,
  source: Readonly<Record<string, unknown>>,
  select?: readonly string[],
): Record<string, unknown> {
  const byLower = new Map(Object.keys(source).map((key) => [key.toLowerCase(), key]));
  const wanted = select ? new Set(select.map((name) => name.trim().toLowerCase())) : undefined;
  const result: Record<string, unknown> = {};
  for (const field of output.fields) {
    if (wanted && !wanted.has(field.name.toLowerCase())) continue;
    const key = byLower.get(field.name.toLowerCase());
    const value = key === undefined ? undefined : source[key];
    result[field.name] =
      value === undefined ? emptyValue(field) : value instanceof Date ? value.toISOString() : value;
  }
  return result;
}
