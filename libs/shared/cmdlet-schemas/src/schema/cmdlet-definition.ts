/**
 * The shape of a cmdlet definition. Definitions are plain data (declared `as const` through
 * `defineCmdlet`) so that both the type of a cmdlet's input and its runtime validation come from
 * one description.
 */

/** Which kind of object an identity parameter names (used by the sandbox to resolve it). */
export type IdentityOf =
  | 'Mailbox'
  | 'MobileDevice'
  | 'MobileDeviceMailboxPolicy'
  | 'ActiveSyncOrganizationSettings'
  | 'ActiveSyncDeviceAccessRule'
  | 'Organization';

export interface EnumTypeDefinition {
  /** .NET type named in ParameterTransformationException messages. */
  readonly dotNetType: string;
  readonly values: readonly string[];
}

export type ParameterType =
  | { readonly kind: 'string'; readonly maxLength?: number }
  | {
      readonly kind: 'int';
      readonly min?: number;
      readonly max?: number;
      /** The parameter is an `Unlimited<int>`: the string "Unlimited" is also accepted. */
      readonly allowUnlimited?: boolean;
    }
  | { readonly kind: 'bool' }
  | { readonly kind: 'switch' }
  | { readonly kind: 'enum'; readonly enum: EnumTypeDefinition }
  /** A multi-valued enum parameter, e.g. `-RecipientTypeDetails UserMailbox,SharedMailbox`. */
  | { readonly kind: 'enumList'; readonly enum: EnumTypeDefinition }
  | { readonly kind: 'identity'; readonly of: IdentityOf }
  /**
   * A MultiValuedProperty of strings. `addRemove` = the server accepts
   * `{"@odata.type":"#Exchange.GenericHashTable","Add":[…],"Remove":[…]}` for incremental changes.
   */
  | { readonly kind: 'stringList'; readonly addRemove: boolean }
  /** `"Unlimited"` or an integer > 0. */
  | { readonly kind: 'resultSize' }
  /** An OPATH filter string (see `parseOpathFilter`). */
  | { readonly kind: 'filter' }
  /** A .NET TimeSpan as `[d.]hh:mm:ss`, optionally `Unlimited`. */
  | { readonly kind: 'timeSpan'; readonly allowUnlimited?: boolean }
  /** A ByteQuantifiedSize such as `10 MB` or `Unlimited` (kept as text). */
  | { readonly kind: 'byteQuantifiedSize' };

export type ParameterKind = ParameterType['kind'];

export interface ParameterDefinition {
  /** Canonical (documented) casing; binding is case-insensitive. */
  readonly name: string;
  readonly type: ParameterType;
  readonly required?: boolean;
  /** `$null` accepted (clears the property). */
  readonly nullable?: boolean;
  readonly description?: string;
  /** Set when the reference does not confirm the parameter or its type (see README). */
  readonly unconfirmed?: string;
}

export type OutputFieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'dateTime'
  | 'guid'
  | 'enum'
  | 'stringList'
  | 'timeSpan'
  /** Exchange "Unlimited<T>" values serialised as strings, e.g. "Unlimited" or "10". */
  | 'unlimitedString';

export interface OutputFieldDefinition {
  readonly name: string;
  readonly type: OutputFieldType;
  readonly values?: readonly string[];
  readonly unconfirmed?: string;
}

export interface OutputTypeDefinition {
  readonly name: string;
  readonly fields: readonly OutputFieldDefinition[];
}

/**
 * Exchange management roles (the role-group layout of Exchange Server). Which of them covers each
 * cmdlet in Exchange Online is UNCONFIRMED (reference §5): verify with
 * `Get-ManagementRoleEntry "*\<Cmdlet>"`.
 */
export type ManagementRole =
  | 'Mail Recipients'
  | 'View-Only Recipients'
  | 'Organization Client Access'
  | 'View-Only Configuration'
  | 'Organization Configuration';

export interface CmdletDefinition {
  readonly name: string;
  /** `read` cmdlets never change Exchange state; `write` cmdlets do. */
  readonly access: 'read' | 'write';
  readonly noun: string;
  readonly parameters: readonly ParameterDefinition[];
  /** Groups of parameters that cannot be used together (different parameter sets). */
  readonly mutuallyExclusive?: readonly (readonly string[])[];
  /** At least one of these parameters must be given. */
  readonly requireOneOf?: readonly string[];
  /** Roles any one of which allows the cmdlet (UNCONFIRMED, see ManagementRole). */
  readonly managementRoles: readonly ManagementRole[];
  readonly output: OutputTypeDefinition | null;
  /** Properties accepted by `-Filter`, when the cmdlet has one. */
  readonly filterableProperties?: readonly string[];
  /** Default `-ResultSize` when the cmdlet pages. */
  readonly defaultResultSize?: number;
  readonly notes?: string;
}

/** Keeps the literal types of a definition so that input types can be derived from it. */
export function defineCmdlet<const D extends CmdletDefinition>(definition: D): D {
  return definition;
}

export function defineOutput<const O extends OutputTypeDefinition>(definition: O): O {
  return definition;
}

export function defineEnum<const E extends EnumTypeDefinition>(definition: E): E {
  return definition;
}
