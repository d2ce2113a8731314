import type { OpathNode, OpathOperator, OpathValue } from './opath-ast';

export type OpathLiteral = string | number | boolean | null;

const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** `'O''Brien'`: single quotes, an embedded single quote doubled. Safe for any user data. */
export function quoteOpathString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function toValue(literal: OpathLiteral): OpathValue {
  if (literal === null) return { kind: 'null' };
  if (typeof literal === 'boolean') return { kind: 'bool', value: literal };
  return { kind: 'string', value: String(literal) };
}

function comparison(property: string, operator: OpathOperator, literal: OpathLiteral): OpathNode {
  // Property names come from code, never from user data: a bad one is a programming error.
  if (!PROPERTY_NAME.test(property)) throw new RangeError(`'${property}' is not a valid OPATH property name`);
  return { type: 'comparison', property, operator, value: toValue(literal) };
}

/** Builds filters from code; user data only ever goes into quoted values. */
export const opath = {
  eq: (property: string, value: OpathLiteral) => comparison(property, 'eq', value),
  ne: (property: string, value: OpathLiteral) => comparison(property, 'ne', value),
  like: (property: string, pattern: string) => comparison(property, 'like', pattern),
  notLike: (property: string, pattern: string) => comparison(property, 'notlike', pattern),
  gt: (property: string, value: OpathLiteral) => comparison(property, 'gt', value),
  ge: (property: string, value: OpathLiteral) => comparison(property, 'ge', value),
  lt: (property: string, value: OpathLiteral) => comparison(property, 'lt', value),
  le: (property: string, value: OpathLiteral) => comparison(property, 'le', value),
  and: (...operands: OpathNode[]): OpathNode =>
    operands.length === 1 ? operands[0] : { type: 'and', operands },
  or: (...operands: OpathNode[]): OpathNode =>
    operands.length === 1 ? operands[0] : { type: 'or', operands },
  not: (operand: OpathNode): OpathNode => ({ type: 'not', operand }),
};

function formatValue(value: OpathValue): string {
  switch (value.kind) {
    case 'null':
      return '$null';
    case 'bool':
      return value.value ? '$true' : '$false';
    case 'string':
      return quoteOpathString(value.value);
  }
}

/** The filter text for `-Filter`; nested groups are always parenthesised. */
export function formatOpathFilter(node: OpathNode): string {
  switch (node.type) {
    case 'comparison':
      return `${node.property} -${node.operator} ${formatValue(node.value)}`;
    case 'not':
      return `-not (${formatOpathFilter(node.operand)})`;
    case 'and':
    case 'or':
      return node.operands
        .map((operand) =>
          operand.type === 'comparison' ? formatOpathFilter(operand) : `(${formatOpathFilter(operand)})`,
        )
        .join(` -${node.type} `);
  }
}
