import type { BoundValue, MultiValuedUpdate, ResultSize } from './bound-values';
import { isMultiValuedUpdate } from './bound-values';
import type { BoundCmdlet } from './parameter-binder';

// Small typed readers for the sandbox's cmdlet handlers. Names are canonical (as in the definitions).

function read(bound: BoundCmdlet, name: string): BoundValue | undefined {
  return Object.prototype.hasOwnProperty.call(bound.parameters, name) ? bound.parameters[name] : undefined;
}

/** Was the parameter given at all (including as null)? */
export function hasBoundParameter(bound: BoundCmdlet, name: string): boolean {
  return read(bound, name) !== undefined;
}

/** A string-valued parameter (string, identity, filter, enum, timeSpan…); null when cleared, undefined when absent. */
export function boundString(bound: BoundCmdlet, name: string): string | null | undefined {
  const value = read(bound, name);
  return typeof value === 'string' || value === null ? value : undefined;
}

/** A switch: true only when given as true. */
export function boundSwitch(bound: BoundCmdlet, name: string): boolean {
  return read(bound, name) === true;
}

/** A bool parameter; undefined when absent. */
export function boundBool(bound: BoundCmdlet, name: string): boolean | undefined {
  const value = read(bound, name);
  return typeof value === 'boolean' ? value : undefined;
}

/** An int (or "Unlimited") parameter; undefined when absent. */
export function boundInt(bound: BoundCmdlet, name: string): number | 'Unlimited' | null | undefined {
  const value = read(bound, name);
  return typeof value === 'number' || value === 'Unlimited' || value === null ? value : undefined;
}

export function boundResultSize(bound: BoundCmdlet): ResultSize | undefined {
  const value = read(bound, 'ResultSize');
  return typeof value === 'number' || value === 'Unlimited' ? value : undefined;
}

/** A multi-valued string parameter's update; undefined when absent. */
export function boundListUpdate(bound: BoundCmdlet, name: string): MultiValuedUpdate | undefined {
  const value = read(bound, name);
  return isMultiValuedUpdate(value) ? value : undefined;
}

/** A multi-valued enum parameter; undefined when absent. */
export function boundEnumList(bound: BoundCmdlet, name: string): readonly string[] | undefined {
  const value = read(bound, name);
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}
