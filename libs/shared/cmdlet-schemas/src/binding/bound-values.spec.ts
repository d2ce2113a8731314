import { applyMultiValuedUpdate, isMultiValuedUpdate } from './bound-values';

describe(applyMultiValuedUpdate.name, () => {
  const sut = applyMultiValuedUpdate;

  it('adds and removes as set operations', () => {
    expect(sut(['A', 'B'], { op: 'update', add: ['C', 'A'], remove: ['B', 'Z'] })).toEqual(['A', 'C']);
  });

  it('compares case-insensitively by default and keeps the existing spelling', () => {
    expect(sut(['ApplX'], { op: 'update', add: ['APPLX'], remove: [] })).toEqual(['ApplX']);
    expect(sut(['ApplX'], { op: 'update', add: [], remove: ['applx'] })).toEqual([]);
  });

  it('compares case-sensitively on request', () => {
    expect(sut(['ApplX'], { op: 'update', add: ['APPLX'], remove: [] }, { caseSensitive: true })).toEqual([
      'ApplX',
      'APPLX',
    ]);
  });

  it('replaces the list with a plain array, without duplicates', () => {
    expect(sut(['A'], { op: 'replace', values: ['B', 'b', 'C'] })).toEqual(['B', 'C']);
  });

  it('clears the list', () => {
    expect(sut(['A'], { op: 'clear' })).toEqual([]);
  });

  it('keeps a value that is both removed and added', () => {
    expect(sut(['A'], { op: 'update', add: ['A'], remove: ['A'] })).toEqual(['A']);
  });
});

describe(isMultiValuedUpdate.name, () => {
  it('tells updates from other bound values', () => {
    expect([
      isMultiValuedUpdate({ op: 'clear' }),
      isMultiValuedUpdate(['a']),
      isMultiValuedUpdate(null),
    ]).toEqual([true, false, false]);
  });
});
