/** Comparison operators of the OPATH subset we support. */
export const OPATH_OPERATORS = ['eq', 'ne', 'like', 'notlike', 'gt', 'ge', 'lt', 'le'] as const;
export type OpathOperator = (typeof OPATH_OPERATORS)[number];

export type OpathValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' };

export type OpathNode =
  | { readonly type: 'and'; readonly operands: readonly OpathNode[] }
  | { readonly type: 'or'; readonly operands: readonly OpathNode[] }
  | { readonly type: 'not'; readonly operand: OpathNode }
  | {
      readonly type: 'comparison';
      readonly property: string;
      readonly operator: OpathOperator;
      readonly value: OpathValue;
    };
