import {
  CMDLET_NAMES,
  type CmdletName,
  canonicalCmdletName,
  findParameter,
  CMDLETS,
} from '../cmdlets/cmdlet-catalog';
import { parseOpathFilter } from '../filter/opath-parser';
import type {
  CmdletDefinition,
  EnumTypeDefinition,
  IdentityOf,
  ParameterDefinition,
} from '../schema/cmdlet-definition';
import type { BoundValue, MultiValuedUpdate, ResultSize } from './bound-values';
import { type CmdletSchemaError, CmdletSchemaErrorCode, ExceptionTypes } from './cmdlet-schema-error';
import { type Result, fail, ok } from './result';

export const GENERIC_HASHTABLE_ODATA_TYPE = '#Exchange.GenericHashTable';

export interface BindOptions {
  /**
   * `server`: what arrives in an InvokeCommand body; an Add/Remove object must carry
   * `"@odata.type":"#Exchange.GenericHashTable"` (untagged objects do not bind on the real server,
   * reference §3.3). `client`: typed input before serialisation; `{ add, remove }` needs no tag.
   */
  readonly mode: 'client' | 'server';
  /** Refuse `-Filter` properties outside the cmdlet's filterable list (default true). */
  readonly checkFilterProperties?: boolean;
}

/** A cmdlet call whose parameters are bound: canonical names, canonical enum casing, typed values. */
export interface BoundCmdlet {
  readonly name: CmdletName;
  readonly definition: CmdletDefinition;
  /** Keyed by the parameter's canonical name, in the order given. */
  readonly parameters: Readonly<Record<string, BoundValue>>;
}

export type BindResult = Result<BoundCmdlet, CmdletSchemaError>;

const IDENTITY_DOTNET_TYPES: Record<IdentityOf, string> = {
  // Type names from the Exchange object model; UNCONFIRMED for Exchange Online.
  Mailbox: 'Microsoft.Exchange.Configuration.Tasks.MailboxIdParameter',
  MobileDevice: 'Microsoft.Exchange.Configuration.Tasks.MobileDeviceIdParameter',
  MobileDeviceMailboxPolicy: 'Microsoft.Exchange.Configuration.Tasks.MailboxPolicyIdParameter',
  ActiveSyncOrganizationSettings:
    'Microsoft.Exchange.Configuration.Tasks.ActiveSyncOrganizationSettingsIdParameter',
  ActiveSyncDeviceAccessRule: 'Microsoft.Exchange.Configuration.Tasks.ActiveSyncDeviceAccessRuleIdParameter',
  Organization: 'Microsoft.Exchange.Configuration.Tasks.OrganizationIdParameter',
};

const MULTI_VALUED_STRING_TYPE = 'Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]';
const RESULT_SIZE_TYPE = 'Microsoft.Exchange.Data.Unlimited`1[System.UInt32]';

function dotNetTypeOf(parameter: ParameterDefinition): string {
  const type = parameter.type;
  switch (type.kind) {
    case 'string':
    case 'filter':
      return 'System.String';
    case 'int':
      return type.allowUnlimited ? 'Microsoft.Exchange.Data.Unlimited`1[System.Int32]' : 'System.Int32';
    case 'bool':
      return 'System.Boolean';
    case 'switch':
      return 'System.Management.Automation.SwitchParameter';
    case 'enum':
      return type.enum.dotNetType;
    case 'enumList':
      return `${type.enum.dotNetType}[]`;
    case 'identity':
      return IDENTITY_DOTNET_TYPES[type.of];
    case 'stringList':
      return MULTI_VALUED_STRING_TYPE;
    case 'resultSize':
      return RESULT_SIZE_TYPE;
    case 'timeSpan':
      return type.allowUnlimited
        ? 'Microsoft.Exchange.Data.Unlimited`1[Microsoft.Exchange.Data.EnhancedTimeSpan]'
        : 'Microsoft.Exchange.Data.EnhancedTimeSpan';
    case 'byteQuantifiedSize':
      return 'Microsoft.Exchange.Data.Unlimited`1[Microsoft.Exchange.Data.ByteQuantifiedSize]';
  }
}

function display(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return 'System.Object[]';
  if (raw !== null && typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the errors; the message is PowerShell/Exchange wording, the hint plain English. */
class ErrorFactory {
  constructor(readonly cmdlet: CmdletDefinition) {}

  unknownParameter(name: string): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.UnknownParameter,
      message: `A parameter cannot be found that matches parameter name '${name}'.`,
      hint: `${this.cmdlet.name} has no parameter '${name}'. Valid parameters: ${this.cmdlet.parameters.map((p) => p.name).join(', ')}.`,
      exceptionType: ExceptionTypes.ambiguousParameterSet,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: name,
    };
  }

  duplicate(parameter: ParameterDefinition): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.DuplicateParameter,
      message: `Cannot bind parameter because parameter '${parameter.name}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, "-parameter value1,value2,value3".`,
      hint: `${parameter.name} is given more than once (parameter names are case-insensitive).`,
      exceptionType: ExceptionTypes.parameterBinding,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  transformation(
    parameter: ParameterDefinition,
    raw: unknown,
    inner: string,
    hint: string,
  ): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.BadType,
      message: `Cannot process argument transformation on parameter '${parameter.name}'. Cannot convert value "${display(raw)}" to type "${dotNetTypeOf(parameter)}". Error: "${inner}"`,
      hint: `${parameter.name}: ${hint}`,
      exceptionType: ExceptionTypes.parameterTransformation,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  badEnum(parameter: ParameterDefinition, definition: EnumTypeDefinition, raw: string): CmdletSchemaError {
    const names = definition.values.join(', ');
    return {
      code: CmdletSchemaErrorCode.BadEnumValue,
      message: `Cannot process argument transformation on parameter '${parameter.name}'. Cannot convert value "${raw}" to type "${definition.dotNetType}". Error: "Unable to match the identifier name ${raw} to a valid enumerator name. Specify one of the following enumerator names and try again: ${names}"`,
      hint: `${parameter.name} does not accept '${raw}'. Valid values: ${names}.`,
      exceptionType: ExceptionTypes.parameterTransformation,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  outOfRange(parameter: ParameterDefinition, message: string, hint: string): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.OutOfRange,
      message: `Cannot validate argument on parameter '${parameter.name}'. ${message}`,
      hint: `${parameter.name}: ${hint}`,
      exceptionType: ExceptionTypes.parameterBindingValidation,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  nullNotAllowed(parameter: ParameterDefinition, empty: boolean): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.NullNotAllowed,
      message: `Cannot bind argument to parameter '${parameter.name}' because it is ${empty ? 'an empty string' : 'null'}.`,
      hint: `${parameter.name} needs a value; ${empty ? 'an empty string' : 'null'} is not accepted.`,
      exceptionType: ExceptionTypes.parameterBindingValidation,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  badFilter(parameter: ParameterDefinition, detail: string): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.BadFilter,
      // Exchange's wording for filter errors is only approximated (UNCONFIRMED).
      message: `Cannot bind parameter '${parameter.name}' to the target. Exception setting "${parameter.name}": "${detail}"`,
      hint: `${parameter.name}: ${detail}`,
      exceptionType: ExceptionTypes.parameterBinding,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: parameter.name,
    };
  }

  parameterSet(names: readonly string[], insufficient: boolean): CmdletSchemaError {
    return {
      code: insufficient
        ? CmdletSchemaErrorCode.MissingRequired
        : CmdletSchemaErrorCode.AmbiguousParameterSet,
      message:
        'Parameter set cannot be resolved using the specified named parameters. One or more parameters issued cannot be used together or an insufficient number of parameters were provided.',
      hint: insufficient
        ? `${this.cmdlet.name} needs one of: ${names.join(', ')}.`
        : `${this.cmdlet.name} cannot take ${names.join(' and ')} together.`,
      exceptionType: ExceptionTypes.ambiguousParameterSet,
      errorId: '',
      cmdlet: this.cmdlet.name,
    };
  }

  missing(names: readonly string[]): CmdletSchemaError {
    return {
      code: CmdletSchemaErrorCode.MissingRequired,
      message: `Cannot process command because of one or more missing mandatory parameters: ${names.join(' ')}.`,
      hint: `${this.cmdlet.name} requires: ${names.join(', ')}.`,
      exceptionType: ExceptionTypes.parameterBinding,
      errorId: '',
      cmdlet: this.cmdlet.name,
      parameter: names[0],
    };
  }
}

export function unknownCmdletError(name: string): CmdletSchemaError {
  return {
    code: CmdletSchemaErrorCode.UnknownCmdlet,
    message: `The term '${name}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    hint: `'${name}' is not a cmdlet easgate knows. Known cmdlets: ${CMDLET_NAMES.join(', ')}.`,
    exceptionType: ExceptionTypes.commandNotFound,
    errorId: '',
    cmdlet: name,
  };
}

type Conversion = { readonly value: BoundValue } | { readonly error: CmdletSchemaError };

const TIME_SPAN = /^-?(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/;
const BYTE_QUANTIFIED_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB)?(\s*\([\d,]+ bytes\))?$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** Parses `-ResultSize`: "Unlimited" (any case) or an integer > 0 (number or numeric text). */
export function parseResultSize(raw: unknown): ResultSize | undefined {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'unlimited') return 'Unlimited';
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && INTEGER_TEXT.test(raw.trim())
        ? Number(raw)
        : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The number of objects a call may return: the bound ResultSize or the cmdlet's default. */
export function effectiveResultSize(bound: BoundCmdlet): number {
  const given = bound.parameters['ResultSize'];
  if (given === 'Unlimited') return Number.POSITIVE_INFINITY;
  if (typeof given === 'number') return given;
  return bound.definition.defaultResultSize ?? Number.POSITIVE_INFINITY;
}

function toStringList(raw: unknown): string[] | undefined {
  if (raw === null || raw === undefined) return [];
  if (typeof raw === 'string' || typeof raw === 'number') return [String(raw)];
  if (Array.isArray(raw) && raw.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return raw.map((v) => String(v));
  }
  return undefined;
}

function convertHashTable(
  parameter: ParameterDefinition,
  raw: Record<string, unknown>,
  addRemove: boolean,
  options: BindOptions,
  errors: ErrorFactory,
): Conversion {
  const tag = raw['@odata.type'];
  if (!addRemove) {
    return {
      error: errors.transformation(
        parameter,
        raw,
        'Add/Remove is not supported for this parameter.',
        'this parameter takes a list, not Add/Remove.',
      ),
    };
  }
  if (options.mode === 'server' && tag !== GENERIC_HASHTABLE_ODATA_TYPE) {
    return {
      error: errors.transformation(
        parameter,
        raw,
        'Cannot convert the "Newtonsoft.Json.Linq.JObject" value to a hashtable.',
        `an Add/Remove object must carry "@odata.type": "${GENERIC_HASHTABLE_ODATA_TYPE}".`,
      ),
    };
  }
  let add: string[] = [];
  let remove: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === '@odata.type') continue;
    const list = toStringList(value);
    const lower = key.toLowerCase();
    if ((lower === 'add' || lower === 'remove') && list !== undefined) {
      if (lower === 'add') add = [...add, ...list];
      else remove = [...remove, ...list];
      continue;
    }
    return {
      error: errors.transformation(
        parameter,
        raw,
        `The hashtable key '${key}' is not valid. Valid keys are Add and Remove.`,
        `only Add and Remove (strings or string arrays) are allowed; got '${key}'.`,
      ),
    };
  }
  const update: MultiValuedUpdate = { op: 'update', add, remove };
  return { value: update };
}

function convertValue(
  parameter: ParameterDefinition,
  raw: unknown,
  cmdlet: CmdletDefinition,
  options: BindOptions,
  errors: ErrorFactory,
): Conversion {
  const type = parameter.type;
  if (raw === null || raw === undefined) {
    if (type.kind === 'stringList' && parameter.nullable) return { value: { op: 'clear' } };
    if (parameter.nullable) return { value: null };
    return { error: errors.nullNotAllowed(parameter, false) };
  }
  switch (type.kind) {
    case 'string':
    case 'identity':
    case 'filter': {
      if (typeof raw === 'number' || typeof raw === 'boolean') {
        // PowerShell converts scalars to text ($true → "True").
        raw = typeof raw === 'boolean' ? (raw ? 'True' : 'False') : String(raw);
      }
      if (typeof raw !== 'string') {
        return {
          error: errors.transformation(
            parameter,
            raw,
            'Specified method is not supported.',
            'expected a single string.',
          ),
        };
      }
      if (raw === '' && type.kind !== 'string') return { error: errors.nullNotAllowed(parameter, true) };
      if (type.kind === 'string' && type.maxLength !== undefined && raw.length > type.maxLength) {
        return {
          error: errors.outOfRange(
            parameter,
            `The length of the property is too long. The maximum length is ${type.maxLength} and the length of the value provided is ${raw.length}.`,
            `at most ${type.maxLength} characters (got ${raw.length}).`,
          ),
        };
      }
      if (type.kind === 'filter') {
        const parsed = parseOpathFilter(
          raw,
          options.checkFilterProperties === false
            ? {}
            : { filterableProperties: cmdlet.filterableProperties },
        );
        if (!parsed.ok) return { error: errors.badFilter(parameter, parsed.errors[0].message) };
      }
      return { value: raw };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw !== 0 };
      // String "true"/"false" for [bool] parameters: UNCONFIRMED on the real server; accepted.
      if (typeof raw === 'string' && /^(true|false|\$true|\$false)$/i.test(raw.trim())) {
        return { value: /true/i.test(raw) };
      }
      return {
        error: errors.transformation(
          parameter,
          raw,
          'Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.',
          'expected true or false.',
        ),
      };
    }
    case 'switch': {
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) {
        return { value: raw.trim().toLowerCase() === 'true' };
      }
      return {
        error: errors.transformation(
          parameter,
          raw,
          `Cannot convert value "${display(raw)}" to type "System.Management.Automation.SwitchParameter".`,
          'a switch takes true (or false).',
        ),
      };
    }
    case 'int': {
      if (type.allowUnlimited && typeof raw === 'string' && raw.trim().toLowerCase() === 'unlimited') {
        return { value: 'Unlimited' };
      }
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && INTEGER_TEXT.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isInteger(n)) {
        return {
          error: errors.transformation(
            parameter,
            raw,
            'Input string was not in a correct format.',
            `expected an integer${type.allowUnlimited ? ' or "Unlimited"' : ''}.`,
          ),
        };
      }
      if (type.max !== undefined && n > type.max) {
        return {
          error: errors.outOfRange(
            parameter,
            `The ${n} argument is greater than the maximum allowed range of ${type.max}. Supply an argument that is less than or equal to ${type.max} and then try the command again.`,
            `at most ${type.max} (got ${n}).`,
          ),
        };
      }
      if (type.min !== undefined && n < type.min) {
        return {
          error: errors.outOfRange(
            parameter,
            `The ${n} argument is less than the minimum allowed range of ${type.min}. Supply an argument that is greater than or equal to ${type.min} and then try the command again.`,
            `at least ${type.min} (got ${n}).`,
          ),
        };
      }
      return { value: n };
    }
    case 'enum': {
      if (typeof raw !== 'string') {
        return { error: errors.badEnum(parameter, type.enum, display(raw)) };
      }
      const text = raw.trim().toLowerCase();
      const match = type.enum.values.find((v) => v.toLowerCase() === text);
      return match === undefined ? { error: errors.badEnum(parameter, type.enum, raw) } : { value: match };
    }
    case 'enumList': {
      const items = typeof raw === 'string' ? raw.split(',') : raw;
      if (!Array.isArray(items)) return { error: errors.badEnum(parameter, type.enum, display(raw)) };
      const values: string[] = [];
      for (const item of items) {
        const text = typeof item === 'string' ? item.trim() : display(item);
        const match = type.enum.values.find((v) => v.toLowerCase() === text.toLowerCase());
        if (match === undefined) return { error: errors.badEnum(parameter, type.enum, text) };
        values.push(match);
      }
      return { value: values };
    }
    case 'stringList': {
      if (isPlainObject(raw)) return convertHashTable(parameter, raw, type.addRemove, options, errors);
      const list = toStringList(raw);
      if (list === undefined) {
        return {
          error: errors.transformation(
            parameter,
            raw,
            'The value is not a string or an array of strings.',
            `expected a string or an array of strings${type.addRemove ? ', or an Add/Remove object' : ''}.`,
          ),
        };
      }
      return { value: { op: 'replace', values: list } };
    }
    case 'resultSize': {
      const size = parseResultSize(raw);
      if (size !== undefined) return { value: size };
      if (typeof raw === 'number' && Number.isInteger(raw)) {
        return {
          error: errors.outOfRange(
            parameter,
            `The ${raw} argument is less than the minimum allowed range of 1. Supply an argument that is greater than or equal to 1 and then try the command again.`,
            `"Unlimited" or an integer greater than 0 (got ${raw}).`,
          ),
        };
      }
      return {
        error: errors.transformation(
          parameter,
          raw,
          `The value "${display(raw)}" is not a valid Unlimited value.`,
          '"Unlimited" or an integer greater than 0.',
        ),
      };
    }
    case 'timeSpan': {
      if (typeof raw === 'string' && type.allowUnlimited && raw.trim().toLowerCase() === 'unlimited') {
        return { value: 'Unlimited' };
      }
      if (typeof raw === 'string' && TIME_SPAN.test(raw.trim())) return { value: raw.trim() };
      return {
        error: errors.transformation(
          parameter,
          raw,
          'String was not recognized as a valid TimeSpan.',
          `expected a time span [d.]hh:mm:ss${type.allowUnlimited ? ' or "Unlimited"' : ''}.`,
        ),
      };
    }
    case 'byteQuantifiedSize': {
      if (typeof raw === 'string' && raw.trim().toLowerCase() === 'unlimited') return { value: 'Unlimited' };
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { value: String(raw) };
      if (typeof raw === 'string' && BYTE_QUANTIFIED_SIZE.test(raw.trim())) return { value: raw.trim() };
      return {
        error: errors.transformation(
          parameter,
          raw,
          'The value is not a valid ByteQuantifiedSize.',
          'expected a size such as "10 MB" or "Unlimited".',
        ),
      };
    }
  }
}

/**
 * Binds a cmdlet's parameters the way the Exchange admin API does: names and enum values are
 * case-insensitive and come back in the schema's casing; unknown parameters, bad enum values, bad
 * types, conflicting parameter sets and missing mandatory parameters are errors (values, never
 * thrown). Errors come in the server's order: names first, then values, then parameter sets, then
 * mandatory parameters; the server reports the first.
 */
export function bindCmdletParameters(
  cmdletName: string,
  parameters: unknown,
  options: BindOptions,
): BindResult {
  const name = canonicalCmdletName(cmdletName);
  if (name === undefined) return fail([unknownCmdletError(cmdletName)]);
  const cmdlet: CmdletDefinition = CMDLETS[name];
  const errors = new ErrorFactory(cmdlet);

  if (parameters !== undefined && parameters !== null && !isPlainObject(parameters)) {
    return fail([
      {
        code: CmdletSchemaErrorCode.BadParametersObject,
        message: 'Parameters must be a JSON object of parameter name to value.',
        hint: 'Parameters must be an object such as {"Identity": "user@contoso.com"}.',
        exceptionType: ExceptionTypes.parameterBinding,
        errorId: '',
        cmdlet: name,
      },
    ]);
  }
  const given = Object.entries(parameters ?? {});
  const nameErrors: CmdletSchemaError[] = [];
  const valueErrors: CmdletSchemaError[] = [];
  const bound: Record<string, BoundValue> = {};
  for (const [givenName, raw] of given) {
    const parameter = findParameter(cmdlet, givenName.replace(/^-/, ''));
    if (parameter === undefined) {
      nameErrors.push(errors.unknownParameter(givenName));
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(bound, parameter.name)) {
      nameErrors.push(errors.duplicate(parameter));
      continue;
    }
    // `undefined` means "not given" on the client side (JSON has no undefined).
    if (raw === undefined) continue;
    const conversion = convertValue(parameter, raw, cmdlet, options, errors);
    if ('error' in conversion) valueErrors.push(conversion.error);
    else bound[parameter.name] = conversion.value;
  }

  const setErrors: CmdletSchemaError[] = [];
  const present = (n: string) => Object.prototype.hasOwnProperty.call(bound, n);
  for (const group of cmdlet.mutuallyExclusive ?? []) {
    const used = group.filter(present);
    if (used.length > 1) setErrors.push(errors.parameterSet(used, false));
  }
  const missing = cmdlet.parameters.filter((p) => p.required && !present(p.name)).map((p) => p.name);
  // A parameter given with an invalid value is not "missing".
  const invalid = new Set(valueErrors.map((e) => e.parameter));
  const reallyMissing = missing.filter((m) => !invalid.has(m));
  if (reallyMissing.length > 0) setErrors.push(errors.missing(reallyMissing));
  if (cmdlet.requireOneOf && !cmdlet.requireOneOf.some((n) => present(n) || invalid.has(n))) {
    setErrors.push(errors.parameterSet(cmdlet.requireOneOf, true));
  }

  const all = [...nameErrors, ...valueErrors, ...setErrors];
  return all.length > 0 ? fail(all) : ok({ name, definition: cmdlet, parameters: bound });
}

/** Server side (the sandbox): bind `CmdletInput.Parameters` as the Exchange admin API would. */
export function bindServerParameters(cmdletName: string, parameters: unknown): BindResult {
  return bindCmdletParameters(cmdletName, parameters, { mode: 'server' });
}
