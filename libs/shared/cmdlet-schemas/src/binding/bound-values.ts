/** `-ResultSize`: "Unlimited" or an integer > 0. */
export type ResultSize = number | 'Unlimited';

/** The value of a multi-valued parameter after binding. */
export type MultiValuedUpdate =
  /** A plain array (or a single value) replaces the whole list. */
  | { readonly op: 'replace'; readonly values: readonly string[] }
  /** `#Exchange.GenericHashTable` with Add/Remove: set operations on the current list. */
  | { readonly op: 'update'; readonly add: readonly string[]; readonly remove: readonly string[] }
  /** JSON `null` ($null) clears the list. */
  | { readonly op: 'clear' };

/**
 * A bound parameter value:
 * string (string, identity, filter, timeSpan, byteQuantifiedSize, and int "Unlimited"), number (int,
 * resultSize), boolean (bool, switch), null (cleared nullable scalar), string[] (enumList),
 * MultiValuedUpdate (stringList).
 */
export type BoundValue = string | number | boolean | null | readonly string[] | MultiValuedUpdate;

export function isMultiValuedUpdate(value: BoundValue | undefined): value is MultiValuedUpdate {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'op' in value;
}

export interface ApplyMultiValuedOptions {
  /** Compare values case-sensitively (default: case-insensitive, like Exchange's string MVPs — UNCONFIRMED). */
  readonly caseSensitive?: boolean;
}

/**
 * The list after an update. Set semantics: duplicates collapse, removing a missing value and adding
 * a present one are no-ops (whether Exchange errors on those is UNCONFIRMED). Removes apply before
 * adds, so a value in both ends up present (UNCONFIRMED).
 */
export function applyMultiValuedUpdate(
  current: readonly string[],
  update: MultiValuedUpdate,
  options: ApplyMultiValuedOptions = {},
): string[] {
  const key = (value: string) => (options.caseSensitive ? value : value.toLowerCase());
  const dedupe = (values: readonly string[]) => {
    const seen = new Set<string>();
    return values.filter((value) => {
      const k = key(value);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  switch (update.op) {
    case 'clear':
      return [];
    case 'replace':
      return dedupe(update.values);
    case 'update': {
      const removed = new Set(update.remove.map(key));
      return dedupe([...current.filter((value) => !removed.has(key(value))), ...update.add]);
    }
  }
}
