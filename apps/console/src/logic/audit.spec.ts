import { auditFiltersProblem, auditQuery, chainVerdict, emptyAuditFilters } from './audit';

describe(auditQuery.name, () => {
  it('sends only the filters that are set, newest first, with the page cursor', () => {
    const sut = auditQuery({ ...emptyAuditFilters, actor: ' user:admin ', outcome: 'failure' }, 50, 120);

    expect(sut).toEqual({
      order: 'desc',
      limit: 50,
      actor: 'user:admin',
      outcome: 'failure',
      beforeSeq: 120,
    });
  });

  it('turns the local date and time of the inputs into ISO instants', () => {
    const sut = auditQuery({ ...emptyAuditFilters, from: '2026-12-01T04:00', to: '2026-12-01T05:00' }, 10);

    expect(sut.from).toBe(new Date('2026-12-01T04:00').toISOString());
    expect(sut.to).toBe(new Date('2026-12-01T05:00').toISOString());
  });
});

describe(auditFiltersProblem.name, () => {
  it('refuses a time range that ends before it starts', () => {
    expect(
      auditFiltersProblem({ ...emptyAuditFilters, from: '2026-12-02T00:00', to: '2026-12-01T00:00' }),
    ).toBe('"From" must be before "To".');
    expect(auditFiltersProblem(emptyAuditFilters)).toBeUndefined();
  });
});

describe(chainVerdict.name, () => {
  it('says plainly where a broken chain breaks and why', () => {
    const sut = chainVerdict({
      valid: false,
      checked: 12,
      brokenAt: 7,
      problem: 'row 7 was changed after it was written',
    });

    expect(sut.intact).toBe(false);
    expect(sut.title).toBe('The audit chain is broken at entry 7');
    expect(sut.detail).toContain('row 7 was changed after it was written');
  });

  it('says an intact chain is intact, with the entries checked', () => {
    expect(chainVerdict({ valid: true, checked: 1 })).toMatchObject({
      intact: true,
      title: 'The audit chain is intact',
      detail: expect.stringContaining('1 entry checked') as unknown,
    });
  });
});
