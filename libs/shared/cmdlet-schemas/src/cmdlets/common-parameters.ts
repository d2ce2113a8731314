// Parameter fragments several cmdlets share. `as const` keeps literal types for input typing.

export const CONFIRM = {
  name: 'Confirm',
  type: { kind: 'switch' },
  description: '`"Confirm": false` is commonly sent on Remove-* cmdlets (reference §3.3).',
} as const;

export const WHAT_IF = { name: 'WhatIf', type: { kind: 'switch' } } as const;

export const RESULT_SIZE = {
  name: 'ResultSize',
  type: { kind: 'resultSize' },
  description: '"Unlimited" or an integer > 0; default 1000.',
} as const;

export const FILTER = { name: 'Filter', type: { kind: 'filter' } } as const;

export const SORT_BY = { name: 'SortBy', type: { kind: 'string' } } as const;

export const ORGANIZATIONAL_UNIT = { name: 'OrganizationalUnit', type: { kind: 'string' } } as const;

export const DEFAULT_RESULT_SIZE = 1000;
