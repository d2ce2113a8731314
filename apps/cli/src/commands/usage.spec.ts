import fc from 'fast-check';
import { integerFlag, UsageError } from './usage';

describe(integerFlag.name, () => {
  it('answers any flag text with an integer of at least the minimum or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.double().map(String), fc.bigInt().map(String)),
        fc.integer({ min: 0, max: 10 }),
        (text, min) => {
          try {
            const n = integerFlag('limit', text, min);
            return Number.isInteger(n) && n >= min;
          } catch (err) {
            return err instanceof UsageError && err.message.startsWith('--limit');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
