import fc from 'fast-check';
import { parseCliParameterAssignment } from './binding/cli-parameter';
import { bindCmdletParameters, bindServerParameters } from './binding/parameter-binder';
import { CMDLET_NAMES, CMDLETS } from './cmdlets/cmdlet-catalog';
import { parseOpathFilter } from './filter/opath-parser';

/** OPATH-looking text: operators, quotes, parentheses, variables, and runs of them. */
const opathish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '-eq',
        '-ne',
        '-like',
        '-and',
        '-or',
        '-not',
        '(',
        ')',
        "'",
        '"',
        '$true',
        '$null',
        ' ',
        'DeviceOS',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 200 },
  )
  .map((parts) => parts.join(''));

describe('cmdlet parsers under hostile input', () => {
  it('parseOpathFilter answers every text with a tree or coded errors, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(opathish, fc.string({ maxLength: 5000 }), fc.constant('('.repeat(5000))),
        (text) => {
          const parsed = parseOpathFilter(text);
          return parsed.ok || parsed.errors.every((e) => typeof e.code === 'string');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('binds any parameter object of any cmdlet into a call or coded errors, never a throw', () => {
    const parameterNames = [
      ...new Set(CMDLET_NAMES.flatMap((n) => CMDLETS[n].parameters.map((p) => p.name))),
    ];
    const parameters = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.dictionary(
        fc.oneof(fc.constantFrom(...parameterNames), fc.string({ maxLength: 20 })),
        fc.oneof(fc.anything({ maxDepth: 2 }), opathish, fc.string({ maxLength: 20_000 })),
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...CMDLET_NAMES), fc.string({ maxLength: 30 })),
        parameters,
        fc.constantFrom('client' as const, 'server' as const),
        (cmdlet, values, mode) => {
          for (const bound of [
            bindCmdletParameters(cmdlet, values, { mode }),
            bindServerParameters(cmdlet, values),
          ])
            if (!bound.ok && !bound.errors.every((e) => typeof e.code === 'string')) return false;
          return true;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads any --param text as an assignment or nothing, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.json().map((j) => `Name=${j}`),
        ),
        (text) => {
          const parsed = parseCliParameterAssignment(text);
          return parsed === undefined || typeof parsed.name === 'string';
        },
      ),
      { numRuns: 1000 },
    );
  });
});
