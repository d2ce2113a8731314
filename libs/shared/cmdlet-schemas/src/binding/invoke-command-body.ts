import type { CmdletName } from '../cmdlets/cmdlet-catalog';
import type { BoundValue } from './bound-values';
import type { CmdletParameters } from './cmdlet-input';
import type { CmdletSchemaError } from './cmdlet-schema-error';
import {
  type BoundCmdlet,
  type BindResult,
  GENERIC_HASHTABLE_ODATA_TYPE,
  bindCmdletParameters,
} from './parameter-binder';
import { type Result, fail, ok } from './result';
import { CmdletSchemaErrorCode, ExceptionTypes } from './cmdlet-schema-error';

/** JSON value of a parameter on the wire. */
export type WireValue =
  | string
  | number
  | boolean
  | null
  | readonly string[]
  | {
      readonly '@odata.type': typeof GENERIC_HASHTABLE_ODATA_TYPE;
      readonly Add?: readonly string[];
      readonly Remove?: readonly string[];
    };

/** The body of `POST /adminapi/beta/{tenant}/InvokeCommand` (reference §3.3). */
export interface InvokeCommandBody {
  readonly CmdletInput: {
    readonly CmdletName: string;
    readonly Parameters: Readonly<Record<string, WireValue>>;
  };
}

/**
 * Client-side validation: the same binding as the server (case-insensitive names, enum casing,
 * types, ranges, parameter sets, mandatory parameters, filter syntax), with `{ add, remove }`
 * accepted untagged. Every problem is reported, not just the first.
 */
export function validateCmdletInput<N extends CmdletName>(
  cmdlet: N,
  parameters: CmdletParameters<N>,
): BindResult {
  return bindCmdletParameters(cmdlet, parameters, { mode: 'client' });
}

/** `validateCmdletInput` for input whose cmdlet and names are only known at run time (the CLI). */
export function validateUntypedCmdletInput(
  cmdlet: string,
  parameters: Readonly<Record<string, unknown>>,
): BindResult {
  return bindCmdletParameters(cmdlet, parameters, { mode: 'client' });
}

function toWire(value: BoundValue): WireValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return [...(value as readonly string[])];
  const update = value as Exclude<BoundValue, null | string | number | boolean | readonly string[]>;
  switch (update.op) {
    case 'clear':
      return null;
    case 'replace':
      return [...update.values];
    case 'update':
      return {
        '@odata.type': GENERIC_HASHTABLE_ODATA_TYPE,
        ...(update.add.length > 0 ? { Add: [...update.add] } : {}),
        ...(update.remove.length > 0 ? { Remove: [...update.remove] } : {}),
      };
  }
}

/**
 * The one serializer: a bound cmdlet to the InvokeCommand body. Multi-valued Add/Remove become
 * `{"@odata.type":"#Exchange.GenericHashTable","Add":[…],"Remove":[…]}` (always arrays, which the
 * server accepts as well as single strings), switches `true`, cleared values `null`, ResultSize
 * `"Unlimited"` or a number. `Parameters` is always present (`{}` when empty).
 */
export function toInvokeCommandBody(bound: BoundCmdlet): InvokeCommandBody {
  const parameters: Record<string, WireValue> = {};
  for (const [name, value] of Object.entries(bound.parameters)) {
    parameters[name] = toWire(value);
  }
  return { CmdletInput: { CmdletName: bound.name, Parameters: parameters } };
}

/** Validate then serialize, in one step. */
export function buildInvokeCommandBody<N extends CmdletName>(
  cmdlet: N,
  parameters: CmdletParameters<N>,
): Result<InvokeCommandBody, CmdletSchemaError> {
  const bound = validateCmdletInput(cmdlet, parameters);
  return bound.ok ? ok(toInvokeCommandBody(bound.value)) : bound;
}

/** `buildInvokeCommandBody` for run-time input (the CLI's `--param Name=Value`). */
export function buildUntypedInvokeCommandBody(
  cmdlet: string,
  parameters: Readonly<Record<string, unknown>>,
): Result<InvokeCommandBody, CmdletSchemaError> {
  const bound = validateUntypedCmdletInput(cmdlet, parameters);
  return bound.ok ? ok(toInvokeCommandBody(bound.value)) : bound;
}

/**
 * Server side (the sandbox): reads `{"CmdletInput":{"CmdletName","Parameters"}}` and binds it like
 * the admin API. `Parameters` may be omitted.
 */
export function bindInvokeCommandBody(body: unknown): BindResult {
  const input =
    typeof body === 'object' && body !== null ? (body as { CmdletInput?: unknown }).CmdletInput : undefined;
  const cmdletName =
    typeof input === 'object' && input !== null ? (input as { CmdletName?: unknown }).CmdletName : undefined;
  if (typeof cmdletName !== 'string' || cmdletName.trim() === '') {
    return fail([
      {
        code: CmdletSchemaErrorCode.BadParametersObject,
        message: 'The request body must be {"CmdletInput":{"CmdletName":"<cmdlet>","Parameters":{...}}}.',
        hint: 'The body needs CmdletInput.CmdletName (and optionally CmdletInput.Parameters).',
        exceptionType: ExceptionTypes.parameterBinding,
        errorId: '',
      },
    ]);
  }
  return bindCmdletParameters(cmdletName, (input as { Parameters?: unknown }).Parameters, { mode: 'server' });
}
