import type { OpathNode, OpathOperator, OpathValue } from './opath-ast';

export interface OpathEvaluationOptions {
  /**
   * Reads a property from the object. Default: case-insensitive own-property lookup. The sandbox
   * can map filter-only names (e.g. `msExchMobileAllowedDeviceIds`) here.
   */
  readonly readProperty?: (object: Readonly<Record<string, unknown>>, property: string) => unknown;
}

export function readPropertyCaseInsensitive(
  object: Readonly<Record<string, unknown>>,
  property: string,
): unknown {
  if (Object.prototype.hasOwnProperty.call(object, property)) return object[property];
  const lower = property.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/** Does the object match the filter? Exchange-like semantics, see `compare`. */
export function evaluateOpathFilter(
  node: OpathNode,
  object: Readonly<Record<string, unknown>>,
  options: OpathEvaluationOptions = {},
): boolean {
  const read = options.readProperty ?? readPropertyCaseInsensitive;
  const visit = (n: OpathNode): boolean => {
    switch (n.type) {
      case 'and':
        return n.operands.every(visit);
      case 'or':
        return n.operands.some(visit);
      case 'not':
        return !visit(n.operand);
      case 'comparison':
        return compare(read(object, n.property), n.operator, n.value);
    }
  };
  return visit(node);
}

function isEmpty(actual: unknown): boolean {
  return (
    actual === null || actual === undefined || actual === '' || (Array.isArray(actual) && actual.length === 0)
  );
}

/**
 * String comparison is case-insensitive; a multi-valued property matches `-eq`/`-like` when any
 * element matches, and `-ne`/`-notlike` when no element matches; `-like` knows the `*` wildcard
 * only; ordering compares numbers, then ISO dates, then text.
 */
function compare(actual: unknown, operator: OpathOperator, expected: OpathValue): boolean {
  if (expected.kind === 'null') {
    switch (operator) {
      case 'eq':
      case 'like':
        return isEmpty(actual);
      case 'ne':
      case 'notlike':
        return !isEmpty(actual);
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        return false;
    }
  }
  const values = Array.isArray(actual) ? (actual as unknown[]) : [actual];
  switch (operator) {
    case 'ne':
      return !values.some((v) => equals(v, expected));
    case 'notlike':
      return !values.some((v) => like(v, expected));
    case 'eq':
      return values.some((v) => equals(v, expected));
    case 'like':
      return values.some((v) => like(v, expected));
    case 'gt':
      return values.some((v) => order(v, expected) > 0);
    case 'ge':
      return values.some((v) => order(v, expected) >= 0);
    case 'lt':
      return values.some((v) => order(v, expected) < 0);
    case 'le':
      return values.some((v) => order(v, expected) <= 0);
  }
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function expectedText(expected: Exclude<OpathValue, { kind: 'null' }>): string {
  return expected.kind === 'bool' ? String(expected.value) : expected.value;
}

function equals(actual: unknown, expected: Exclude<OpathValue, { kind: 'null' }>): boolean {
  if (typeof actual === 'number') {
    const n = Number(expectedText(expected));
    if (!Number.isNaN(n)) return actual === n;
  }
  const text = asText(actual);
  return text !== undefined && text.toLowerCase() === expectedText(expected).toLowerCase();
}

function like(actual: unknown, expected: Exclude<OpathValue, { kind: 'null' }>): boolean {
  const text = asText(actual);
  if (text === undefined) return false;
  return wildcardToRegExp(expectedText(expected)).test(text);
}

export function wildcardToRegExp(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'is');
}

/** NaN-free ordering; incomparable values give NaN so every ordered comparison is false. */
function order(actual: unknown, expected: Exclude<OpathValue, { kind: 'null' }>): number {
  const expectedValue = expectedText(expected);
  if (typeof actual === 'number') return actual - Number(expectedValue);
  const text = asText(actual);
  if (text === undefined) return Number.NaN;
  const a = Number(text);
  const b = Number(expectedValue);
  if (text.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b)) return a - b;
  const dateA = Date.parse(text);
  const dateB = Date.parse(expectedValue);
  if (!Number.isNaN(dateA) && !Number.isNaN(dateB)) return dateA - dateB;
  return text.toLowerCase().localeCompare(expectedValue.toLowerCase());
}
