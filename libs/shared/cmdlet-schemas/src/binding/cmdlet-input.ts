import { type CMDLETS, type CmdletName } from '../cmdlets/cmdlet-catalog';
import type { ParameterDefinition, ParameterType } from '../schema/cmdlet-definition';
import type { ResultSize } from './bound-values';

/** An incremental change of a multi-valued parameter; serialised as `#Exchange.GenericHashTable`. */
export interface MultiValuedChange {
  readonly add?: string | readonly string[];
  readonly remove?: string | readonly string[];
}

type ValueOfType<T extends ParameterType> = T extends { kind: 'int'; allowUnlimited: true }
  ? number | 'Unlimited'
  : T extends { kind: 'int' }
    ? number
    : T extends { kind: 'bool' | 'switch' }
      ? boolean
      : T extends { kind: 'enum'; enum: { values: readonly (infer V)[] } }
        ? V
        : T extends { kind: 'enumList'; enum: { values: readonly (infer V)[] } }
          ? readonly V[]
          : T extends { kind: 'stringList'; addRemove: true }
            ? readonly string[] | MultiValuedChange
            : T extends { kind: 'stringList' }
              ? readonly string[]
              : T extends { kind: 'resultSize' }
                ? ResultSize
                : string;

type ValueOfParameter<P extends ParameterDefinition> = P extends { nullable: true }
  ? ValueOfType<P['type']> | null
  : ValueOfType<P['type']>;

type ParametersOfCmdlet<Ps extends readonly ParameterDefinition[]> = {
  readonly [P in Ps[number] as P extends { required: true } ? P['name'] : never]: ValueOfParameter<P>;
} & {
  readonly [P in Ps[number] as P extends { required: true } ? never : P['name']]?: ValueOfParameter<P>;
};

/** Typed parameters of a cmdlet, derived from its definition (canonical names). */
export type CmdletParameters<N extends CmdletName> = ParametersOfCmdlet<(typeof CMDLETS)[N]['parameters']>;

/** A typed cmdlet call, as the executor and translator build it. */
export interface CmdletInvocation<N extends CmdletName = CmdletName> {
  readonly cmdlet: N;
  readonly parameters: CmdletParameters<N>;
}
